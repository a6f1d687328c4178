import { bootstrapService } from '@app/service-kit';
import { ConsentModule } from './consent.module';
import { ConsentSettings } from './consent.settings';

void bootstrapService({
  name: 'consent',
  settings: ConsentSettings,
  module: (s) => ConsentModule.forSettings(s),
});
