/** Injection tokens of the audit service. */
export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');
/** The pg pool over the lineage store (search path set to AUDIT_DATABASE_SCHEMA when given). */
export const AUDIT_POOL = Symbol('AUDIT_POOL');
/** The TypeORM data source of the access tables (API keys, access log), same database and schema. */
export const AUDIT_DATA_SOURCE = Symbol('AUDIT_DATA_SOURCE');
export const AUDIT_API_KEYS = Symbol('AUDIT_API_KEYS');
export const AUDIT_ACCESS_LOG = Symbol('AUDIT_ACCESS_LOG');
export const AUDIT_OIDC = Symbol('AUDIT_OIDC');
export const AUDIT_KEYRING = Symbol('AUDIT_KEYRING');
export const AUDIT_LINEAGE = Symbol('AUDIT_LINEAGE');
