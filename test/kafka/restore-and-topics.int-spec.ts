import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { uniqueTopic, type KafkaUnderTest } from '@app/testing';
import {
  assertTopicsMatch,
  auditTrailTopic,
  changelogTopic,
  ensureTopics,
  producerConfig,
  readTopicToEnd,
  streamTopic,
  TopicPartitionMismatchError,
} from '@app/kafka';
import { closeKafkaUnderTest, openKafkaUnderTest } from './support/kafka-test.kit';

describe('topic administration and restoring state from a compacted changelog', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-restore'));
  });
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  /** What the stream runtime restores: every committed record up to the end at the call, in order. */
  async function readToEnd(topic: string): Promise<{ key: string; value: string | null }[]> {
    const seen: { key: string; value: string | null }[] = [];
    await readTopicToEnd(kafka, {
      topic,
      onBatch: ({ messages }) => {
        for (const m of messages)
          seen.push({ key: m.key?.toString('utf8') ?? '', value: m.value?.toString('utf8') ?? null });
      },
    });
    return seen;
  }

  it('ensureTopics creates missing topics with their configs and reports an existing topic with another partition count', async () => {
    const changelog = uniqueTopic('test.changelog');
    const stream = uniqueTopic('test.stream');
    const first = await ensureTopics(admin, [changelogTopic(changelog, 3), streamTopic(stream, 2, 86400000)]);
    expect(first).toEqual({ created: [changelog, stream], alreadyPresent: [], partitionMismatches: [] });

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: changelog, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0].configEntries[0].configValue).toBe('compact');

    const second = await ensureTopics(admin, [
      changelogTopic(changelog, 6),
      streamTopic(stream, 2, 86400000),
    ]);
    expect(second.created).toEqual([]);
    expect(second.partitionMismatches).toEqual([{ topic: changelog, expected: 6, actual: 3 }]);
    expect(() => assertTopicsMatch(second)).toThrow(TopicPartitionMismatchError);
  });

  it('an audit-trail topic is stored gzip-compressed by the broker and reads back as written', async () => {
    const topic = uniqueTopic('test.lineage');
    await ensureTopics(admin, [auditTrailTopic(topic, 2, 86400000)]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['compression.type', 'cleanup.policy'] },
      ],
    });
    const value = (name: string): string | undefined =>
      configs.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
    expect(value('compression.type')).toBe('gzip');
    expect(value('cleanup.policy')).toBe('delete');

    // Written plain inside a transaction, as the engine writes lineage; the broker recompresses.
    const producer = kafka.producer(
      producerConfig({ transactionalId: `${topic}-writer`, maxInFlightRequests: 1 }),
    );
    await producer.connect();
    const written = Array.from({ length: 200 }, (_, i) => ({
      key: `subject-${i % 20}`,
      value: JSON.stringify({ kind: 'decision', n: i, reason: 'not-requested'.repeat(10) }),
    }));
    try {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: written });
      await transaction.commit();
    } finally {
      await producer.disconnect();
    }
    const byKey = (rows: readonly { key: string; value: string | null }[]): string[] =>
      rows.map((r) => `${r.key} ${r.value ?? ''}`).sort();
    expect(byKey(await readToEnd(topic))).toEqual(byKey(written));
  });

  it('readTopicToEnd delivers committed records and tombstones in offset order, never aborted writes', async () => {
    const topic = uniqueTopic('test.changelog');
    await ensureTopics(admin, [changelogTopic(topic, 1)]);
    const producer = kafka.producer(
      producerConfig({ transactionalId: `${topic}-writer`, maxInFlightRequests: 1 }),
    );
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          { key: 'person-1', value: 'v1' },
          { key: 'person-2', value: 'v1' },
          { key: 'person-1', value: 'v2' },
          { key: 'person-3', value: null },
        ],
      });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'person-2', value: 'aborted' }] });
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }

    expect(await readToEnd(topic)).toEqual([
      { key: 'person-1', value: 'v1' },
      { key: 'person-2', value: 'v1' },
      { key: 'person-1', value: 'v2' },
      { key: 'person-3', value: null },
    ]);
  }, 60000);

  it('readTopicToEnd of an empty changelog returns at once with nothing', async () => {
    const topic = uniqueTopic('test.changelog');
    await ensureTopics(admin, [changelogTopic(topic, 2)]);
    expect(await readToEnd(topic)).toEqual([]);
  });
});
