import { bootstrapService } from '@app/service-kit';
import { GatewayModule } from './gateway.module';
import { GatewaySettings } from './gateway.settings';

void bootstrapService({
  name: 'gateway',
  settings: GatewaySettings,
  module: (s) => GatewayModule.forSettings(s),
});
