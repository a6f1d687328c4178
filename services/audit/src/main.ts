import { bootstrapService } from '@app/service-kit';
import { configureAuditHttp } from './audit-http';
import { AuditModule } from './audit.module';
import { AuditSettings } from './audit.settings';

void bootstrapService({
  name: 'audit',
  settings: AuditSettings,
  module: (s) => AuditModule.forSettings(s),
  configure: (app) => configureAuditHttp(app),
});
