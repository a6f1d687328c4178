import 'reflect-metadata';
import { createDataSource, ensureDatabaseExists } from '../data-source';

/** `npm run migration:run`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/consent_governance';
  await ensureDatabaseExists(url);
  const dataSource = createDataSource({ url });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const where = new URL(url);
    console.log(
      applied.length === 0
        ? `database ${where.pathname.slice(1)} on ${where.host} is up to date`
        : `applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
