import 'reflect-metadata';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { createDataSource } from '@app/persistence';
import {
  consumeUntil,
  createTopics,
  provideDatabase,
  provideKafka,
  uniqueTopic,
  type DatabaseUnderTest,
  type KafkaUnderTest,
} from '@app/testing';

// Proof that the moving parts are real: a Kafka broker with transactions and consumer groups,
// and PostgreSQL through TypeORM with the project's migrations.
describe('real components', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    broker = await provideKafka();
    process.stdout.write(`[real components] Kafka at ${broker.brokers.join(',')} (${broker.origin})\n`);
    kafka = new Kafka({ clientId: 'foundation-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  it('a read_committed consumer sees committed transactional records and never aborted ones', async () => {
    const [topic] = await createTopics(admin, [{ topic: uniqueTopic('foundation.tx'), numPartitions: 2 }]);
    const producer = kafka.producer({
      transactionalId: `${topic}-producer`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'a', value: 'committed-1' },
          { key: 'b', value: 'committed-2' },
        ],
      });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'a', value: 'aborted-1' }] });
      await aborted.abort();
      const last = await producer.transaction();
      await last.send({ topic, messages: [{ key: 'c', value: 'committed-3' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    const seen = await consumeUntil(kafka, [topic], { until: (r) => r.length >= 3, timeoutMs: 60000 });
    const uncommittedView = await consumeUntil(kafka, [topic], {
      until: (r) => r.length >= 4,
      readUncommitted: true,
      timeoutMs: 60000,
    });

    expect(seen.map((r) => r.value).sort()).toEqual(['committed-1', 'committed-2', 'committed-3']);
    expect(uncommittedView.map((r) => r.value)).toContain('aborted-1');
  });

  it('a consumer joins a group, and offsets committed inside a transaction are the group offsets', async () => {
    const [topic] = await createTopics(admin, [{ topic: uniqueTopic('foundation.group'), numPartitions: 1 }]);
    const groupId = `${topic}-group`;
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await plain.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    const values: string[] = [];
    let memberCount = 0;
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no records from the group consumer within 60 s')),
        60000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(String(message.value));
            if (values.length === 2) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    const description = await consumer.describeGroup();
    memberCount = description.members.length;
    await consumer.disconnect();

    const producer = kafka.producer({
      transactionalId: `${groupId}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: '2' }] }],
    });
    await tx.commit();
    await producer.disconnect();

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(values).toEqual(['one', 'two']);
    expect(memberCount).toBe(1);
    expect(offsets.partitions[0].offset).toBe('2');
  });

  describe('PostgreSQL through TypeORM', () => {
    let database: DatabaseUnderTest;
    let dataSource: DataSource;

    beforeAll(async () => {
      database = await provideDatabase();
      process.stdout.write(`[real components] PostgreSQL schema ${database.schema} (${database.origin})\n`);
      dataSource = createDataSource({ url: database.url, schema: database.schema });
      await dataSource.initialize();
      await dataSource.runMigrations();
    });

    afterAll(async () => {
      await dataSource?.destroy();
      await database?.drop();
    });

    it('runs the migrations in its own schema and reads and writes there', async () => {
      await dataSource.query('create table probe (id int primary key, note text not null)');
      await dataSource.query('insert into probe (id, note) values ($1, $2)', [1, 'written']);
      const rows = await dataSource.query<{ note: string }[]>('select note from probe where id = $1', [1]);
      const tables = await dataSource.query<{ tablename: string }[]>(
        `select tablename from pg_tables where schemaname = $1 order by tablename`,
        [database.schema],
      );
      expect(rows).toEqual([{ note: 'written' }]);
      // TypeORM keeps its record of applied migrations, and the migrations their tables (the consent
      // ledger's, the audit store's and the auditor API's), in the schema it was given.
      expect(tables.map((t) => t.tablename)).toEqual(
        expect.arrayContaining([
          'probe',
          'schema_migration',
          'audit_lineage',
          'audit_policy_version',
          'audit_sink_offset',
          'audit_daily_stat',
          'audit_api_key',
          'audit_access_log',
          'consent_ledger_entry',
        ]),
      );
    });
  });
});
