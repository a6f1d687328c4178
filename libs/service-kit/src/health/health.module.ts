import { type DynamicModule, type FactoryProvider, type ModuleMetadata, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

export type ReadinessChecksProvider = Omit<FactoryProvider<ReadinessCheck[]>, 'provide'> &
  Pick<ModuleMetadata, 'imports'>;

/** GET /health/live and GET /health/ready, the latter running the service's ReadinessCheck[]. */
@Module({})
export class HealthModule {
  static forRoot({ imports, ...checks }: ReadinessChecksProvider): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(imports ?? [])],
      controllers: [HealthController],
      providers: [{ ...checks, provide: READINESS_CHECKS }],
    };
  }
}
