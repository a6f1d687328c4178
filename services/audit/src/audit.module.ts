import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { createDataSource, DatabaseReadiness } from '@app/persistence';
import { type AuditSettings } from './audit.settings';

/** Lineage sink and auditor API. Today: liveness and readiness (broker, database). */
@Module({})
export class AuditModule {
  static forSettings(settings: AuditSettings): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        HealthModule.forRoot({
          useFactory: () => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            new DatabaseReadiness(createDataSource({ url: settings.DATABASE_URL })),
          ],
        }),
      ],
    };
  }
}
