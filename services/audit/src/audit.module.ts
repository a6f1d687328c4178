import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { createDataSource, DatabaseReadiness } from '@app/persistence';
import { type AuditSettings } from './audit.settings';
import { AuditSinkService } from './sink/audit-sink.service';
import { MetricsController } from './sink/metrics.controller';
import { AuditStoreModule } from './store/audit-store.module';

/** Lineage sink (lineage topics → PostgreSQL), its metrics, and liveness/readiness. */
@Module({})
export class AuditModule {
  static forSettings(settings: AuditSettings): DynamicModule {
    const store = AuditStoreModule.forSettings(settings);
    const sink: DynamicModule = {
      module: class AuditSinkModule {},
      imports: [store],
      providers: [AuditSinkService],
      exports: [AuditSinkService],
    };
    return {
      module: AuditModule,
      imports: [
        store,
        sink,
        HealthModule.forRoot({
          imports: [sink],
          inject: [AuditSinkService],
          useFactory: (sinkService: AuditSinkService) => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            new DatabaseReadiness(createDataSource({ url: settings.DATABASE_URL })),
            sinkService,
          ],
        }),
      ],
      controllers: [MetricsController],
    };
  }
}
