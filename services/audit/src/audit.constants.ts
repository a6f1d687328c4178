/** Injection tokens of the audit service. */
export const AUDIT_DATA_SOURCE = Symbol('AUDIT_DATA_SOURCE');
export const AUDIT_API_KEYS = Symbol('AUDIT_API_KEYS');
export const AUDIT_ACCESS_LOG = Symbol('AUDIT_ACCESS_LOG');
export const AUDIT_OIDC = Symbol('AUDIT_OIDC');
export const AUDIT_KEYRING = Symbol('AUDIT_KEYRING');
export const AUDIT_LINEAGE = Symbol('AUDIT_LINEAGE');
