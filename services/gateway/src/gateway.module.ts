import {
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { ConsentsController } from './consents.controller';
import { EngagementController } from './engagement.controller';
import { EventsController } from './events.controller';
import { ConfirmController, FormsController } from './forms.controller';
import { GATEWAY_RUNTIME, GatewayRuntime, type GatewayOverrides } from './gateway.runtime';
import { type GatewaySettings } from './gateway.settings';
import { MetricsController } from './metrics.controller';
import { UnsubscribeController } from './unsubscribe.controller';

/** Connects the producer at start (a broker away then is retried per request) and closes it at the end. */
class ProducerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime) {}
  async onModuleInit(): Promise<void> {
    await this.runtime.producer.connect();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.producer.disconnect();
  }
}

/** HTTP ingest: events of declared sources, consent callbacks, the open pixel and tracked links. */
@Module({})
export class GatewayModule {
  static forSettings(settings: GatewaySettings, overrides: GatewayOverrides = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        HealthModule.forRoot({
          useFactory: () => [new KafkaReadiness(kafkaClientSettings(settings))],
        }),
      ],
      controllers: [
        EventsController,
        ConsentsController,
        EngagementController,
        UnsubscribeController,
        FormsController,
        ConfirmController,
        MetricsController,
      ],
      providers: [
        { provide: GATEWAY_RUNTIME, useFactory: () => new GatewayRuntime(settings, overrides) },
        ProducerLifecycle,
      ],
      exports: [GATEWAY_RUNTIME],
    };
  }
}
