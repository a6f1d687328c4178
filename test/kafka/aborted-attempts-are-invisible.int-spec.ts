import { type Admin, type Kafka } from 'kafkajs';
import { consumeUntil, createTopics, uniqueTopic, type KafkaUnderTest } from '@app/testing';
import { TransactionalBatchProcessor, TransientError, type BatchRetriedEvent } from '@app/kafka';
import {
  exactlyOnceSummary,
  inputValue,
  produceNumbered,
  readCommittedValues,
  waitForGroupCaughtUp,
  openKafkaUnderTest,
  closeKafkaUnderTest,
} from './support/kafka-test.kit';

const RECORDS = 5000;

describe('TransactionalBatchProcessor: failed attempts', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-aborted-attempts'));
  });
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  it('retries a batch whose handler throws or whose transaction aborts after sending, and read_committed consumers see each output exactly once and nothing of the aborted attempts', async () => {
    const [input, output] = await createTopics(admin, [
      { topic: uniqueTopic('test.in'), numPartitions: 2 },
      { topic: uniqueTopic('test.out'), numPartitions: 2 },
    ]);
    await produceNumbered(kafka, input, RECORDS);
    const groupId = uniqueTopic('test-group');

    let handlerCalls = 0;
    const retries: BatchRetriedEvent[] = [];
    const processor = new TransactionalBatchProcessor(kafka, {
      groupId,
      topics: [input],
      transactionalIdPrefix: groupId,
      consumer: { maxBytesPerPartition: 8192 },
      retryBackoff: { initialMs: 20, maxMs: 200 },
      observer: { batchRetried: (e) => retries.push(e) },
      handler: ({ messages }) => {
        handlerCalls += 1;
        // Every 4th handler call fails before anything is sent.
        if (handlerCalls % 4 === 0) throw new TransientError('dependency unavailable (injected)');
        return messages.map((m) => ({
          topic: output,
          key: m.key,
          value: `out-${m.value?.toString() ?? ''}`,
        }));
      },
      // Every 3rd batch, on its first attempt, fails after its outputs were sent: they are in the
      // log but in a transaction that aborts.
      afterOutputsSent: async ({ attempt }) => {
        if (attempt === 0 && handlerCalls % 3 === 0) throw new Error('broker hiccup after send (injected)');
      },
    });
    await processor.start();
    try {
      await waitForGroupCaughtUp(admin, groupId, input);
    } finally {
      await processor.stop();
    }

    const expected = Array.from({ length: RECORDS }, (_, i) => `out-${inputValue(i)}`);
    expect(exactlyOnceSummary(await readCommittedValues(kafka, output), expected)).toBe('ok');
    // The injected failures happened, in both places, and were retried.
    expect(retries.some((r) => r.error === 'TransientError' && r.transient)).toBe(true);
    expect(retries.some((r) => r.error === 'Error' && !r.transient)).toBe(true);
    // The aborted attempts did write records: a read_uncommitted reader sees more than were committed.
    const uncommitted = await consumeUntil(kafka, [output], {
      readUncommitted: true,
      until: (records) => records.length > RECORDS,
    });
    expect(uncommitted.length).toBeGreaterThan(RECORDS);
  }, 120000);
});
