import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { type GatewaySettings } from './gateway.settings';

/** HTTP ingest. Today: liveness and readiness (its broker); ingest endpoints come with their issues. */
@Module({})
export class GatewayModule {
  static forSettings(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        HealthModule.forRoot({
          useFactory: () => [new KafkaReadiness(kafkaClientSettings(settings))],
        }),
      ],
    };
  }
}
