import { bootstrapService } from '@app/service-kit';
import { PolicyEngineModule } from './policy-engine.module';
import { PolicyEngineSettings } from './policy-engine.settings';

void bootstrapService({
  name: 'policy-engine',
  settings: PolicyEngineSettings,
  module: (s) => PolicyEngineModule.forSettings(s),
});
