import { type Admin, type Kafka } from 'kafkajs';
import { createTopics, uniqueTopic, type KafkaUnderTest } from '@app/testing';
import { TransactionalBatchProcessor } from '@app/kafka';
import {
  eventually,
  exactlyOnceSummary,
  inputValue,
  produceNumbered,
  readCommittedValues,
  waitForGroupCaughtUp,
  openKafkaUnderTest,
  closeKafkaUnderTest,
} from './support/kafka-test.kit';

const RECORDS = 20000;

describe('TransactionalBatchProcessor: rebalance in the middle of a run', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-rebalance'));
  });
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  it('two instances in one group, the second joining and the first leaving mid-run, write every output exactly once', async () => {
    const [input, output] = await createTopics(admin, [
      { topic: uniqueTopic('test.in'), numPartitions: 4 },
      { topic: uniqueTopic('test.out'), numPartitions: 4 },
    ]);
    await produceNumbered(kafka, input, RECORDS);
    const groupId = uniqueTopic('test-group');

    const committed = { first: 0, second: 0 };
    const instance = (name: keyof typeof committed): TransactionalBatchProcessor =>
      new TransactionalBatchProcessor(kafka, {
        groupId,
        topics: [input],
        transactionalIdPrefix: groupId,
        consumer: { maxBytesPerPartition: 8192, sessionTimeout: 10000, heartbeatInterval: 500 },
        // A little work per batch so the run lasts long enough for both membership changes.
        handler: async ({ messages }) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return messages.map((m) => ({
            topic: output,
            key: m.key,
            value: `out-${m.value?.toString() ?? ''}`,
          }));
        },
        observer: { batchCommitted: (e) => (committed[name] += e.recordsIn) },
      });

    const first = instance('first');
    const second = instance('second');
    await first.start();
    try {
      await eventually(() => committed.first >= 2000, 'the first instance to commit 2,000 records');
      await second.start();
      await eventually(
        () => committed.second > 0,
        'the second instance to be assigned partitions and commit',
      );
      await first.stop();
      const firstTotal = committed.first;
      await waitForGroupCaughtUp(admin, groupId, input);
      // Both really shared the run, and the first did nothing after it stopped.
      expect(committed.first).toBe(firstTotal);
      expect(firstTotal).toBeLessThan(RECORDS);
    } finally {
      await first.stop();
      await second.stop();
    }

    const expected = Array.from({ length: RECORDS }, (_, i) => `out-${inputValue(i)}`);
    expect(exactlyOnceSummary(await readCommittedValues(kafka, output), expected)).toBe('ok');
    // What each instance committed adds up to the input: no batch was committed twice.
    expect(committed.first + committed.second).toBe(RECORDS);
  }, 120000);
});
