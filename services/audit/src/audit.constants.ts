/** Injection tokens of the audit service. */
export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');
/** The pg pool over the lineage store (search path set to AUDIT_DATABASE_SCHEMA when given). */
export const AUDIT_POOL = Symbol('AUDIT_POOL');
