import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { createDataSource, DatabaseReadiness } from '@app/persistence';
import { type ConsentSettings } from './consent.settings';

/** Consent-platform adapters and the ledger. Today: liveness and readiness (broker, database). */
@Module({})
export class ConsentModule {
  static forSettings(settings: ConsentSettings): DynamicModule {
    return {
      module: ConsentModule,
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
