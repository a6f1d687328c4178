import { type Pool } from 'pg';
import { createAuditPool } from '@app/audit-store';
import { createDataSource } from '@app/persistence';
import { provideDatabase, type DatabaseUnderTest } from '@app/testing';

/** A fresh schema with the project's migrations applied, and a pool whose search path is it. */
export interface StoreUnderTest {
  readonly database: DatabaseUnderTest;
  readonly pool: Pool;
  close(): Promise<void>;
}

export async function provideMigratedStore(): Promise<StoreUnderTest> {
  const database = await provideDatabase();
  const dataSource = createDataSource({ url: database.url, schema: database.schema });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
  const pool = createAuditPool({ url: database.url, schema: database.schema });
  return {
    database,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}
