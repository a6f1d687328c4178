import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { producerConfig } from '@app/kafka';
import { createTopics, provideKafka, type KafkaUnderTest } from '@app/testing';
import { compileAuditService, startAuditProcess, type AuditProcess } from './support/audit.process';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { deadLetterJson } from './support/dead-letters';
import { examplePolicy } from './support/lineage-expectations';

const PARTITIONS = 3;
const TRANSACTIONS = 60;
const PER_TRANSACTION = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A lineage record small enough to write many of; `n` makes its event id unique. */
const record = (n: number): string =>
  deadLetterJson(`ev-${n}`, new Date(Date.UTC(2025, 0, 6) + n * 1000).toISOString(), 'kill-test');

// The audit service is killed with SIGKILL while it stores lineage that two transactional writers
// are still producing (one aborts every third transaction); restarted, it must end with exactly the
// committed records, each once, and nothing of the aborted ones.
describe('lineage sink killed with SIGKILL mid-batch', () => {
  let broker: KafkaUnderTest;
  let store: StoreUnderTest;
  let script: string;
  let running: AuditProcess | null = null;

  beforeAll(async () => {
    [broker, store, script] = await Promise.all([
      provideKafka(),
      provideMigratedStore(),
      compileAuditService(),
    ]);
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    await store?.close();
    await broker?.stop();
  });

  it('stores every committed record exactly once across kills and restarts, and no aborted one', async () => {
    const prefix = `t-audit-kill-${randomUUID().slice(0, 8)}.`;
    const lineage = `${prefix}governance.lineage`;
    const versions = `${prefix}governance.policy-versions`;
    const kafka = new Kafka({
      clientId: 'audit-kill-test',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [
      { topic: lineage, numPartitions: PARTITIONS },
      { topic: versions, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const { policy, text } = examplePolicy();
    const plain = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await plain.connect();
    await plain.send({ topic: versions, messages: [{ key: policy.version, value: text }] });

    const committed = new Set<string>();
    let aborted = 0;
    let unreadable = 0;
    const write = async (): Promise<void> => {
      const writers = [0, 1].map((w) =>
        kafka.producer(
          producerConfig({ idempotent: true, maxInFlightRequests: 1, transactionalId: `kill-${prefix}${w}` }),
        ),
      );
      for (const p of writers) await p.connect();
      let n = 0;
      for (let t = 0; t < TRANSACTIONS; t++) {
        const w = t % 2;
        const abort = w === 1 && t % 3 === 0;
        const tx = await (writers[w] as (typeof writers)[number]).transaction();
        const ids: string[] = [];
        const messages = Array.from({ length: PER_TRANSACTION }, () => {
          const id = n++;
          ids.push(`ev-${id}`);
          return { partition: id % PARTITIONS, key: `k${id}`, value: record(id) };
        });
        await tx.send({ topic: lineage, messages });
        if (abort) {
          await tx.abort();
          aborted += ids.length;
        } else {
          await tx.commit();
          for (const id of ids) committed.add(id);
        }
        if (t % 10 === 5) {
          // Not even JSON, outside any transaction: kept as an unreadable row.
          await plain.send({
            topic: lineage,
            messages: [{ partition: t % PARTITIONS, value: 'not json {' }],
          });
          unreadable++;
        }
        await sleep(20);
      }
      for (const p of writers) await p.disconnect();
    };

    const env = async (): Promise<Record<string, string>> => ({
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: store.database.url,
      AUDIT_DATABASE_SCHEMA: store.database.schema,
      AUDIT_TOPIC_PREFIX: prefix,
      AUDIT_GROUP_ID: `audit-kill-${randomUUID().slice(0, 8)}`,
      AUDIT_RETENTION_DAYS: '36500',
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    const rows = async (): Promise<number> =>
      Number(
        (await store.pool.query<{ n: string }>(`select count(*)::text as n from audit_lineage`)).rows[0]?.n,
      );

    const writing = write();
    // Kill it three times while records arrive, each time once it has stored more than before.
    for (let kill = 0; kill < 3; kill++) {
      const before = await rows();
      running = startAuditProcess(script, await env());
      for (let i = 0; i < 1200 && (await rows()) <= before && running.child.exitCode === null; i++)
        await sleep(50);
      if (running.child.exitCode !== null) throw new Error(`audit service exited: ${running.output()}`);
      running.child.kill('SIGKILL');
      expect(await running.exited).toBe('SIGKILL');
    }
    await writing;
    await plain.disconnect();

    running = startAuditProcess(script, await env());
    const expectedRows = committed.size + unreadable;
    for (let i = 0; i < 600 && (await rows()) < expectedRows; i++) await sleep(500);
    await sleep(3000); // a duplicate or an aborted record would show now
    running.child.kill('SIGTERM');
    await running.exited;

    const { rows: stored } = await store.pool.query<{ event_id: string | null; kind: string }>(
      `select event_id, kind from audit_lineage`,
    );
    const ids = stored.filter((r) => r.kind === 'dead-letter').map((r) => r.event_id as string);
    expect(aborted).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...committed].sort());
    expect(stored.filter((r) => r.kind === 'unreadable')).toHaveLength(unreadable);
    const figures = await store.pool.query<{ metric: string; n: string }>(
      `select metric, sum(count)::text as n from audit_daily_stat group by metric order by metric`,
    );
    expect(Object.fromEntries(figures.rows.map((r) => [r.metric, Number(r.n)]))).toEqual({
      'dead-letter': committed.size,
      unreadable,
    });
    const version = await store.pool.query(`select 1 from audit_policy_version where policy_version = $1`, [
      policy.version,
    ]);
    expect(version.rowCount).toBe(1);
  });
});
