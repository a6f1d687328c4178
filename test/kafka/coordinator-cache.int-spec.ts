import { randomUUID } from 'node:crypto';
import { type Admin, type Kafka } from 'kafkajs';
import { ensureTopics, producerConfig, streamTopic } from '@app/kafka';
import { uniqueTopic, type KafkaUnderTest } from '@app/testing';
import { closeKafkaUnderTest, openKafkaUnderTest } from './support/kafka-test.kit';

// The patched kafkajs transaction manager (patches/kafkajs+2.2.4.patch) on a real broker: many
// transactions with offsets look each coordinator up once, and what they wrote is committed
// exactly as without the patch (records readable read_committed, the group's offsets moved).

describe('transactions reuse their coordinators (patched kafkajs)', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-coordinator-cache'));
  });
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  // kafkajs names the FindCoordinator API "GroupCoordinator" in its request events.
  it('twenty transactions need one transaction and one group coordinator lookup', async () => {
    const topic = uniqueTopic('coordinator-cache');
    const input = uniqueTopic('coordinator-cache-in');
    await ensureTopics(admin, [streamTopic(topic, 1, 3_600_000), streamTopic(input, 1, 3_600_000)]);
    const groupId = `coordinator-cache-${randomUUID()}`;
    const producer = kafka.producer(
      producerConfig({
        transactionalId: `coordinator-cache-${randomUUID()}`,
        idempotent: true,
        maxInFlightRequests: 1,
      }),
    );
    const requests: string[] = [];
    producer.on(producer.events.REQUEST, (event) => void requests.push(event.payload.apiName));
    await producer.connect();
    try {
      for (let i = 0; i < 20; i++) {
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages: [{ key: `k${i}`, value: `v${i}` }] });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i + 1) }] }],
        });
        await transaction.commit();
      }
    } finally {
      await producer.disconnect();
    }

    const lookups = requests.filter((name) => name === 'GroupCoordinator').length;
    // InitProducerId's own lookup, then one for the transaction coordinator and one for the
    // group: 3, where the unpatched client makes 4 per transaction (81 here).
    expect(lookups).toBeLessThanOrEqual(3);
    expect(requests.filter((name) => name === 'EndTxn')).toHaveLength(20);

    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets[0]?.partitions[0]?.offset).toBe('20');
    const ends = await admin.fetchTopicOffsets(topic);
    // 20 records and 20 commit markers.
    expect(ends[0]?.high).toBe('40');
  });
});
