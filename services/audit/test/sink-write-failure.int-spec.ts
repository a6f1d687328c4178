import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { LineageSink } from '@app/audit-store';
import { producerConfig } from '@app/kafka';
import { createTopics, provideKafka, type KafkaUnderTest } from '@app/testing';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { deadLetterJson } from './support/dead-letters';

const PARTITIONS = 3;
const RECORDS = 6000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const record = (n: number): string =>
  deadLetterJson(`ev-${n}`, new Date(Date.UTC(2025, 0, 6) + n * 1000).toISOString());

// The sink writes a partition's batch while it decodes the next one. When PostgreSQL refuses a
// transaction, neither that batch nor the one queued behind it may be lost or stored twice: the
// partition is read again from its stored offset, after a back-off.
describe('lineage sink when PostgreSQL refuses transactions', () => {
  let broker: KafkaUnderTest;
  let store: StoreUnderTest;
  let sink: LineageSink | null = null;

  beforeAll(async () => {
    [broker, store] = await Promise.all([provideKafka(), provideMigratedStore()]);
  });
  afterAll(async () => {
    await sink?.stop();
    await store?.close();
    await broker?.stop();
  });

  it('stores every record exactly once although one write in four fails', async () => {
    const prefix = `t-audit-fail-${randomUUID().slice(0, 8)}.`;
    const kafka = new Kafka({
      clientId: 'audit-failure-test',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [
      { topic: `${prefix}governance.lineage`, numPartitions: PARTITIONS },
      { topic: `${prefix}governance.policy-versions`, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    for (let from = 0; from < RECORDS; from += 500)
      await producer.send({
        topic: `${prefix}governance.lineage`,
        messages: Array.from({ length: 500 }, (_, i) => ({
          partition: (from + i) % PARTITIONS,
          value: record(from + i),
        })),
      });
    await producer.disconnect();

    // Every fourth attempt to store an offset fails, rolling its whole transaction back.
    await store.pool.query(`create sequence sink_attempt`);
    await store.pool.query(`
      create function refuse_some() returns trigger language plpgsql as $$
      begin
        if nextval('sink_attempt') % 4 = 0 then raise exception 'refused by the test'; end if;
        return new;
      end $$`);
    await store.pool.query(
      `create trigger refuse_some before insert or update on audit_sink_offset for each row execute function refuse_some()`,
    );

    const logged: string[] = [];
    sink = new LineageSink({
      kafka: { brokers: broker.brokers, clientId: 'audit-failure-sink' },
      pool: store.pool,
      groupId: `audit-failure-${randomUUID().slice(0, 8)}`,
      topicPrefix: prefix,
      retentionDays: 36500,
      // Small fetches: many batches per partition, so one is always queued behind another.
      maxBytesPerPartition: 16 * 1024,
      log: (message) => logged.push(message),
    });
    await sink.start();
    const count = async (): Promise<number> =>
      Number(
        (await store.pool.query<{ n: string }>(`select count(*)::text as n from audit_lineage`)).rows[0]?.n,
      );
    for (let i = 0; i < 240 && (await count()) < RECORDS; i++) await sleep(500);
    await sleep(2000); // a duplicate would show now

    const { rows } = await store.pool.query<{ event_id: string }>(`select event_id from audit_lineage`);
    const ids = rows.map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(RECORDS);
    const figures = await store.pool.query<{ n: string }>(
      `select sum(count)::text as n from audit_daily_stat where metric = 'dead-letter'`,
    );
    expect(Number(figures.rows[0]?.n)).toBe(RECORDS);
    const failures = (await sink.metrics.failures.get()).values[0]?.value ?? 0;
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(logged).toContain('lineage batch not written; reading again from the stored offset');
    const offsets = await store.pool.query<{ n: string }>(
      `select sum(next_offset)::text as n from audit_sink_offset where topic = $1`,
      [`${prefix}governance.lineage`],
    );
    expect(Number(offsets.rows[0]?.n)).toBe(RECORDS);
  });
});
