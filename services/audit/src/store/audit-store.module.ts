import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Pool } from 'pg';
import { createAuditPool, LineageQueries } from '@app/audit-store';
import { createDataSource, ensureDatabaseExists } from '@app/persistence';
import { AUDIT_POOL, AUDIT_SETTINGS } from '../audit.constants';
import { type AuditSettings } from '../audit.settings';

/** Applies pending migrations (AUDIT_MIGRATE=true) before the pool is handed out. */
async function migrated(settings: AuditSettings): Promise<void> {
  if (settings.AUDIT_MIGRATE !== 'true') return;
  await ensureDatabaseExists(settings.DATABASE_URL);
  const dataSource = createDataSource({ url: settings.DATABASE_URL, schema: settings.AUDIT_DATABASE_SCHEMA });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/** The lineage store's pool and its read side ({@link LineageQueries}), for the sink and the API. */
@Module({})
export class AuditStoreModule implements OnApplicationShutdown {
  constructor(@Inject(AUDIT_POOL) private readonly pool: Pool) {}

  static forSettings(settings: AuditSettings) {
    return {
      module: AuditStoreModule,
      providers: [
        { provide: AUDIT_SETTINGS, useValue: settings },
        {
          provide: AUDIT_POOL,
          useFactory: async () => {
            await migrated(settings);
            return createAuditPool({
              url: settings.DATABASE_URL,
              schema: settings.AUDIT_DATABASE_SCHEMA,
              max: 8,
            });
          },
        },
        {
          provide: LineageQueries,
          inject: [AUDIT_POOL],
          useFactory: (pool: Pool) => new LineageQueries(pool),
        },
      ],
      exports: [AUDIT_SETTINGS, AUDIT_POOL, LineageQueries],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
