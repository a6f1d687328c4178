import { Client } from 'pg';
import { ApiKeyRepository, createDataSource } from '@app/persistence';
import { createRunSchema, type ServiceOnSchemaOptions, startServiceProcess } from './service-process';

/** The audit service the main job started: its console URL, an API key, and how to stop it. */
export interface RunningAudit {
  readonly url: string;
  /** A dpo key (read and export), printed once for the person running the demo. */
  readonly key: string;
  /** Waits until the sink has stored `count` lineage records; false if it did not within the time. */
  waitForLineage(count: number, seconds: number, progress: (stored: number) => void): Promise<boolean>;
  stop(): Promise<number | string>;
}

export type AuditServiceOptions = ServiceOnSchemaOptions;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the audit service (sink and API) as the engine is started: a child process of this job's
 * Node, on its own schema (migrated here), reading the run's lineage topics; and creates a key.
 */
export async function startAuditService(o: AuditServiceOptions): Promise<RunningAudit> {
  await createRunSchema(o.databaseUrl, o.schema);
  const db = createDataSource({ url: o.databaseUrl, schema: o.schema });
  await db.initialize();
  let key: string;
  try {
    await db.runMigrations({ transaction: 'each' });
    key = (await new ApiKeyRepository(db).create('dpo', 'main job')).token;
  } finally {
    await db.destroy();
  }
  const service = startServiceProcess(o.root, 'dist/services/audit/src/main.js', {
    ...o.env,
    DATABASE_URL: o.databaseUrl,
    AUDIT_DATABASE_SCHEMA: o.schema,
    AUDIT_TOPIC_PREFIX: o.topicPrefix,
    AUDIT_GROUP_ID: o.groupId,
    HTTP_PORT: o.port,
    GOVERN_DEMO_MODE: 'true',
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${o.port}`;
  return {
    url,
    key,
    async waitForLineage(count, seconds, progress) {
      const client = new Client({ connectionString: o.databaseUrl });
      await client.connect();
      try {
        for (let i = 0; i < seconds * 2; i++) {
          if (service.child.exitCode !== null) return false;
          const stored = await client
            .query<{ n: string }>(`select count(*)::text as n from "${o.schema}".audit_lineage`)
            .then((r) => Number(r.rows[0]?.n ?? 0))
            .catch(() => 0);
          if (i % 4 === 0 || stored >= count) progress(stored);
          if (stored >= count) return true;
          await sleep(500);
        }
        return false;
      } finally {
        await client.end();
      }
    },
    stop: () => service.stop(),
  };
}
