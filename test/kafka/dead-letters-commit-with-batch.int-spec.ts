import { type Admin, type Kafka } from 'kafkajs';
import { consumeUntil, createTopics, uniqueTopic, type KafkaUnderTest } from '@app/testing';
import { buildDeadLetter, DEAD_LETTER_HEADERS, TransactionalBatchProcessor } from '@app/kafka';
import {
  closeKafkaUnderTest,
  openKafkaUnderTest,
  produceNumbered,
  readCommittedValues,
  waitForGroupCaughtUp,
} from './support/kafka-test.kit';

const RECORDS = 300;
const isBad = (value: string): boolean => Number(value.slice(3)) % 10 === 7;

describe('TransactionalBatchProcessor: dead letters', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-dead-letters'));
  });
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  it('dead-letter outputs commit with the batch and carry the original bytes, headers and source coordinates', async () => {
    const [input, output, deadLetters] = await createTopics(admin, [
      { topic: uniqueTopic('test.in'), numPartitions: 2 },
      { topic: uniqueTopic('test.out'), numPartitions: 2 },
      { topic: uniqueTopic('test.dlq'), numPartitions: 1 },
    ]);
    await produceNumbered(kafka, input, RECORDS, { headers: { 'trace-id': 'abc' } });
    const groupId = uniqueTopic('test-group');

    const processor = new TransactionalBatchProcessor(kafka, {
      groupId,
      topics: [input],
      transactionalIdPrefix: groupId,
      handler: ({ topic, partition, messages }) =>
        messages.map((m) =>
          isBad(m.value?.toString() ?? '')
            ? buildDeadLetter({
                deadLetterTopic: deadLetters,
                sourceTopic: topic,
                sourcePartition: partition,
                message: m,
                code: 'schema-violation',
                reason: 'data.email: must be a string',
              })
            : { topic: output, key: m.key, value: m.value },
        ),
    });
    await processor.start();
    try {
      // The batch's offsets are only committed together with its dead letters.
      await waitForGroupCaughtUp(admin, groupId, input);
    } finally {
      await processor.stop();
    }

    const sources = await consumeUntil(kafka, [input], { until: (r) => r.length === RECORDS });
    const bad = sources.filter((r) => isBad(r.value ?? ''));
    const dead = await consumeUntil(kafka, [deadLetters], { until: (r) => r.length >= bad.length });
    expect(dead).toHaveLength(bad.length);
    for (const source of bad) {
      const letter = dead.find((d) => d.value === source.value);
      expect(letter).toBeDefined();
      expect(letter?.key).toBe(source.key);
      expect(letter?.headers).toEqual({
        'trace-id': 'abc',
        [DEAD_LETTER_HEADERS.sourceTopic]: input,
        [DEAD_LETTER_HEADERS.sourcePartition]: String(source.partition),
        [DEAD_LETTER_HEADERS.sourceOffset]: source.offset,
        [DEAD_LETTER_HEADERS.errorCode]: 'schema-violation',
        [DEAD_LETTER_HEADERS.reason]: 'data.email: must be a string',
      });
    }
    // Nothing else was lost: good records went to the output, exactly once.
    expect(await readCommittedValues(kafka, output)).toHaveLength(RECORDS - bad.length);
  }, 90000);
});
