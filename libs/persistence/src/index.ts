export { createDataSource, ensureDatabaseExists, type DataSourceOptions } from './data-source';
export { DatabaseReadiness } from './database-readiness';
export { connected } from './connected';
export {
  AUDIT_ROLES,
  type AuditRole,
  isAuditRole,
  parseApiKey,
  roleCovers,
  sameDigest,
} from './access/api-key';
export { ApiKeyRepository, type ApiKeyListing } from './access/api-key.repository';
export { AccessLogRepository, type AccessLogEntry } from './access/access-log.repository';
