import { Pool } from 'pg';

export interface AuditPoolOptions {
  readonly url: string;
  /** PostgreSQL schema to work in (tests use one per run); default: the search path. */
  readonly schema?: string;
  readonly max?: number;
}

/** A pg pool for the audit store; the schema, when given, becomes the search path (names are unqualified). */
export function createAuditPool(options: AuditPoolOptions): Pool {
  return new Pool({
    connectionString: options.url,
    max: options.max ?? 4,
    options: options.schema ? `-c search_path="${options.schema.replace(/"/g, '""')}"` : undefined,
  });
}
