import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, KafkaReadiness, kafkaClientSettings } from '@app/service-kit';
import { GovernedStreamService } from './governed-stream.service';
import { MetricsController } from './metrics.controller';
import { ENGINE_SETTINGS } from './policy-engine.constants';
import { type PolicyEngineSettings } from './policy-engine.settings';

/** The governed stream, its metrics, and liveness/readiness (broker + consent state restored). */
@Module({})
export class PolicyEngineModule {
  static forSettings(settings: PolicyEngineSettings): DynamicModule {
    const core: DynamicModule = {
      module: class GovernedStreamCoreModule {},
      providers: [{ provide: ENGINE_SETTINGS, useValue: settings }, GovernedStreamService],
      exports: [GovernedStreamService],
    };
    return {
      module: PolicyEngineModule,
      imports: [
        core,
        HealthModule.forRoot({
          imports: [core],
          inject: [GovernedStreamService],
          useFactory: (stream: GovernedStreamService) => [
            new KafkaReadiness(kafkaClientSettings(settings)),
            stream,
          ],
        }),
      ],
      controllers: [MetricsController],
    };
  }
}
