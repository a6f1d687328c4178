import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { AdminKeyGuard } from './admin-key.guard';
import { CONSENT_SETTINGS } from './consent.constants';
import { ConsentLedgerService } from './consent-ledger.service';
import { type ConsentSettings } from './consent.settings';
import { LedgerController, MetricsController } from './ledger.controller';

/**
 * The consent service: the evidence topic into the append-only ledger, its verify and receipt
 * endpoints, metrics, and readiness (broker, database, ledger caught up).
 */
@Module({})
export class ConsentModule {
  static forSettings(settings: ConsentSettings): DynamicModule {
    const core: DynamicModule = {
      module: class ConsentLedgerCoreModule {},
      providers: [{ provide: CONSENT_SETTINGS, useValue: settings }, ConsentLedgerService],
      exports: [ConsentLedgerService, CONSENT_SETTINGS],
    };
    return {
      module: ConsentModule,
      imports: [
        core,
        HealthModule.forRoot({
          imports: [core],
          inject: [ConsentLedgerService],
          useFactory: (ledger: ConsentLedgerService) => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            ledger,
          ],
        }),
      ],
      controllers: [LedgerController, MetricsController],
      providers: [AdminKeyGuard],
    };
  }
}
