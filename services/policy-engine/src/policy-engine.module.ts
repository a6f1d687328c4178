import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness } from '@app/service-kit';
import { type PolicyEngineSettings } from './policy-engine.settings';

/** The governed stream. Today: liveness and readiness (its broker). */
@Module({})
export class PolicyEngineModule {
  static forSettings(settings: PolicyEngineSettings): DynamicModule {
    return {
      module: PolicyEngineModule,
      imports: [
        HealthModule.forRoot({
          useFactory: () => [new KafkaReadiness(settings.KAFKA_BROKERS.split(','), settings.KAFKA_CLIENT_ID)],
        }),
      ],
    };
  }
}
