import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Admin } from 'kafkajs';
import { createKafkaClient } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import {
  createTopics,
  provideDatabase,
  provideKafka,
  uniqueTopic,
  type DatabaseUnderTest,
  type KafkaUnderTest,
} from '@app/testing';
import { KEYRING_ENV, POLICY_FILE } from './support/consent-settings';
import { eventually, evidenceLines, migrateSchema, produceEvidence, sql } from './support/ledger-under-test';
import {
  compileLedgerFixtures,
  type LedgerProcess,
  runGovern,
  startLedgerProcess,
} from './support/ledger-process';

/**
 * Exactly once without Kafka transactions: the ledger consumer, as a child process, is killed
 * with SIGKILL (by its pid) while a transaction is open inside PostgreSQL, restarted, then made to
 * replay the whole topic. The ledger holds every record exactly once, and its chain verifies
 * (checked with the compiled `govern ledger verify`, which also finds a row altered afterwards).
 */
describe('consent ledger: exactly once across kill -9, restart and replay', () => {
  let broker: KafkaUnderTest;
  let db: DatabaseUnderTest;
  let admin: Admin;
  const running: LedgerProcess[] = [];

  beforeAll(async () => {
    broker = await provideKafka();
    db = await provideDatabase();
    await migrateSchema(db.url, db.schema);
    await compileLedgerFixtures();
    admin = createKafkaClient(broker.client).admin();
    await admin.connect();
  });
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await admin?.disconnect();
    await db?.drop();
    await broker?.stop();
  });

  it('two instances in one group: one killed while it holds the ledger lock, the other takes its partitions over; every record once', async () => {
    const own = await provideDatabase();
    try {
      await migrateSchema(own.url, own.schema);
      const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
      const topic = `${uniqueTopic('ledger-pair')}.${policy.evidenceTopic}`;
      await createTopics(admin, [{ topic, numPartitions: 2 }]);
      const lines = evidenceLines(generateEventStream({ seed: 31, customers: 600 }));
      await produceEvidence(createKafkaClient(broker.client), topic, lines);
      const env = {
        KAFKA_BROKERS: broker.brokers.join(','),
        DATABASE_URL: own.url,
        LEDGER_SCHEMA: own.schema,
        LEDGER_TOPIC: topic,
        LEDGER_GROUP: `ledger-pair-${randomUUID().slice(0, 8)}`,
        LEDGER_MAX_BATCH: '50',
        POLICY_FILE,
        ...KEYRING_ENV,
      };
      const count = async (): Promise<number> =>
        Number(
          (
            await sql<{ n: string }>(own.url, own.schema, 'select count(*) as n from consent_ledger_entry')
          )[0]!.n,
        );
      const a = startLedgerProcess({ ...env, LEDGER_FIXTURE_HOLD_AFTER: '200' });
      running.push(a);
      await a.waitFor((e) => e.event === 'joined');
      const b = startLedgerProcess(env);
      running.push(b);
      // A holds a transaction (and with it the ledger's lock) open; B waits on the lock, then on A's session.
      await a.waitFor((e) => e.event === 'transaction-open');
      await b.waitFor((e) => e.event === 'joined');
      a.child.kill('SIGKILL');
      expect(await a.exited).toBe('SIGKILL');
      await eventually('every record in the ledger', async () => (await count()) >= lines.length, 180_000);
      await b.waitFor((e) => e.event === 'lag' && e.max === 0, 60_000);
      b.child.kill('SIGTERM');
      await b.exited;
      const offsets = await sql<{ n: string }>(
        own.url,
        own.schema,
        'select count(distinct (source_partition, source_offset)) as n from consent_ledger_entry',
      );
      expect(await count()).toBe(lines.length);
      expect(Number(offsets[0]!.n)).toBe(lines.length);
      const verified = await runGovern(['ledger', 'verify', '--schema', own.schema], {
        DATABASE_URL: own.url,
      });
      expect(verified.code).toBe(0);
    } finally {
      await own.drop();
    }
  }, 400_000);

  it('holds every record once after a kill -9 mid-transaction, a restart and a replay; govern ledger verify agrees', async () => {
    const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
    const topic = `${uniqueTopic('ledger-kill')}.${policy.evidenceTopic}`;
    const group = `ledger-kill-${randomUUID().slice(0, 8)}`;
    const kafka = createKafkaClient(broker.client);
    await createTopics(admin, [{ topic, numPartitions: 2 }]);
    const lines = [
      ...evidenceLines(generateEventStream({ seed: 27, customers: 1000 })),
      // Ids PostgreSQL text cannot hold as sent (NUL, a lone surrogate): stored as U+FFFD, still verify.
      JSON.stringify({
        specversion: '1.0',
        id: 'hostile-\u0000-\ud800',
        source: 'consent-service',
        type: 'consent.evidence',
        time: '2025-06-01T10:00:00Z',
        subject: 'cust-hostile',
        data: {
          evidenceId: 'ev-\u0000',
          kind: 'withdrawal',
          subject: { key: 'cust-hostile' },
          timestamp: '2025-06-01T10:00:00Z',
          withdrawal: { all: true },
        },
      }),
    ];
    expect(lines.length).toBeGreaterThan(1500);
    await produceEvidence(kafka, topic, lines);
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: db.url,
      LEDGER_SCHEMA: db.schema,
      LEDGER_TOPIC: topic,
      LEDGER_GROUP: group,
      LEDGER_MAX_BATCH: '100',
      POLICY_FILE,
      ...KEYRING_ENV,
    };
    const count = async (): Promise<number> =>
      Number(
        (await sql<{ n: string }>(db.url, db.schema, 'select count(*) as n from consent_ledger_entry'))[0]!.n,
      );
    const start = (extra: Record<string, string> = {}): LedgerProcess => {
      const p = startLedgerProcess({ ...env, ...extra });
      running.push(p);
      return p;
    };

    // 1. Killed by its pid while its transaction (rows, anchor, offset) is open in PostgreSQL.
    const first = start({ LEDGER_FIXTURE_HOLD_AFTER: '900' });
    const open = await first.waitFor((e) => e.event === 'transaction-open');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const committedBeforeKill = Number(open.committed);
    expect(committedBeforeKill).toBeGreaterThanOrEqual(800);
    expect(committedBeforeKill).toBeLessThan(lines.length);
    // What the killed transaction wrote is gone with it.
    await eventually(
      'the killed transaction rolled back',
      async () => (await count()) === committedBeforeKill,
      30_000,
    );

    // 2. Restarted: continues from the ledger's offsets.
    const second = start();
    await eventually('every record in the ledger', async () => (await count()) >= lines.length, 180_000);
    await second.waitFor((e) => e.event === 'lag' && e.max === 0, 60_000);
    second.child.kill('SIGTERM');
    await second.exited;

    // 3. Replay: Kafka's committed offsets for the group back to the beginning; the ledger's decide.
    await admin.resetOffsets({ groupId: group, topic, earliest: true });
    const third = start();
    await third.waitFor((e) => e.event === 'joined');
    await third.waitFor((e) => e.event === 'lag' && e.max === 0, 60_000);
    third.child.kill('SIGTERM');
    await third.exited;

    const rows = await sql<{ source_partition: number; source_offset: string }>(
      db.url,
      db.schema,
      'select source_partition, source_offset::text as source_offset from consent_ledger_entry order by seq',
    );
    expect(rows).toHaveLength(lines.length);
    const perPartition = new Map<number, number[]>();
    for (const r of rows)
      perPartition.set(r.source_partition, [
        ...(perPartition.get(r.source_partition) ?? []),
        Number(r.source_offset),
      ]);
    // Each partition's offsets exactly once, none skipped (the producer was not transactional).
    for (const offsets of perPartition.values())
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
    const stored = await sql<{ n: string }>(
      db.url,
      db.schema,
      'select sum(next_offset) as n from consent_ledger_offset',
    );
    expect(Number(stored[0]!.n)).toBe(lines.length);

    const cliEnv = { DATABASE_URL: db.url };
    const verified = await runGovern(['ledger', 'verify', '--schema', db.schema], cliEnv);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      rowsChecked: lines.length,
      firstBreak: null,
    });

    const subject = (
      JSON.parse(lines.find((l) => l.includes('"formVersion":"newsletter-v3"'))!) as { subject: string }
    ).subject;
    const receipt = await runGovern(
      ['ledger', 'receipt', '--policy', POLICY_FILE, '--subject', subject, '--schema', db.schema],
      { ...cliEnv, ...KEYRING_ENV },
    );
    expect(receipt.code).toBe(0);
    expect(receipt.stdout).not.toContain(subject);
    const parsed = JSON.parse(receipt.stdout) as {
      records: { notice: { formVersion: string | null } }[];
      ledger: { chainHolds: boolean };
    };
    expect(parsed.ledger.chainHolds).toBe(true);
    expect(parsed.records.some((r) => r.notice.formVersion === 'newsletter-v3')).toBe(true);

    await sql(
      db.url,
      db.schema,
      'alter table consent_ledger_entry disable trigger consent_ledger_entry_append_only',
    );
    await sql(
      db.url,
      db.schema,
      "update consent_ledger_entry set reason = reason || ' (edited)' where seq = 1000",
    );
    await sql(
      db.url,
      db.schema,
      'alter table consent_ledger_entry enable trigger consent_ledger_entry_append_only',
    );
    const broken = await runGovern(['ledger', 'verify', '--schema', db.schema], cliEnv);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stderr)).toMatchObject({
      ok: false,
      firstBreak: { seq: '1000', problem: 'content-hash' },
    });
  }, 600_000);
});
