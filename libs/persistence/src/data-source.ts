import { DataSource, type MigrationInterface } from 'typeorm';
import { Client } from 'pg';
import { LEDGER_ENTITIES } from './ledger/ledger.entities';
import { AuditStore1765000000000 } from './migrations/1765000000000-audit-store';
import { ConsentLedger1765000000000 } from './migrations/1765000000000-consent-ledger';
import { AuditAccess1796515200000 } from './migrations/1796515200000-audit-access.migration';
import { AuditLineageJson1796601600000 } from './migrations/1796601600000-audit-lineage-json.migration';

/**
 * The project's entities and migrations. The consent ledger has entities (ledger/); the audit
 * store's and the access log's tables are raw SQL only: they use declarative partitioning, GIN
 * indexes and append-only triggers that live in the database.
 */
export const ENTITIES: (new () => object)[] = [...LEDGER_ENTITIES];
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  ConsentLedger1765000000000,
  AuditStore1765000000000,
  AuditAccess1796515200000,
  AuditLineageJson1796601600000,
];

export interface DataSourceOptions {
  url: string;
  /** PostgreSQL schema to work in (tests use one per run); defaults to the search path. */
  schema?: string;
  /** Only tests may build the schema from the entities; everything else runs migrations. */
  synchronizeForTests?: boolean;
}

/** A TypeORM data source over PostgreSQL with the project's entities and migrations. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    synchronize: options.synchronizeForTests === true,
    // Raw SQL in migrations is unqualified: the search path puts it in the chosen schema.
    extra: options.schema ? { options: `-c search_path="${options.schema}"` } : undefined,
    logging: false,
  });
}

/**
 * Creates the database named in `url` when it does not exist yet (connecting to the server's
 * `postgres` database), so a fresh machine needs no manual `createdb`.
 */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
