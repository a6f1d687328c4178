import { type Admin, type Kafka } from 'kafkajs';
import { consumeUntil, createTopics, uniqueTopic, type KafkaUnderTest } from '@app/testing';
import { compileProcessorFixture, startProcessorFixture } from './support/fixture.process';
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

describe('TransactionalBatchProcessor: kill -9 and restart', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let admin: Admin;
  let fixture: string;

  beforeAll(async () => {
    ({ broker, kafka, admin } = await openKafkaUnderTest('test-kill-restart'));
    fixture = await compileProcessorFixture();
  }, 60000);
  afterAll(async () => {
    await closeKafkaUnderTest(broker, admin);
  });

  it('every input produces exactly one committed output when the processor is killed with an open transaction and restarted', async () => {
    const [input, output] = await createTopics(admin, [
      { topic: uniqueTopic('test.in'), numPartitions: 3 },
      { topic: uniqueTopic('test.out'), numPartitions: 3 },
    ]);
    await produceNumbered(kafka, input, RECORDS);
    const groupId = uniqueTopic('test-group');
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      GROUP_ID: groupId,
    };

    // First run: commits 40 batches, then sends a batch's outputs and hangs before committing.
    const first = startProcessorFixture(fixture, { ...env, HANG_AFTER_BATCHES: '40' });
    try {
      await eventually(
        () => first.events.some((e) => e.event === 'hanging'),
        'the first run to hang mid-transaction',
      );
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await first.exited).toBe('SIGKILL');
    const committedBeforeKill = first.events.filter((e) => e.event === 'committed').length;

    // Second run: claims the partitions (aborting the killed run's open transaction) and finishes.
    const second = startProcessorFixture(fixture, env);
    try {
      await waitForGroupCaughtUp(admin, groupId, input);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);

    const expected = Array.from({ length: RECORDS }, (_, i) => `out-${inputValue(i)}`);
    expect(committedBeforeKill).toBe(40);
    expect(exactlyOnceSummary(await readCommittedValues(kafka, output), expected)).toBe('ok');
    // The killed transaction's records are in the log, only invisible to read_committed readers.
    const uncommitted = await consumeUntil(kafka, [output], {
      readUncommitted: true,
      until: (records) => records.length > RECORDS,
    });
    expect(uncommitted.length).toBeGreaterThan(RECORDS);
  }, 150000);
});
