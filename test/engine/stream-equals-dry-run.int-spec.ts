import { randomUUID } from 'node:crypto';
import { generateEventStream } from '../../cli/govern/event-stream.generator';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import {
  startGovernedStream,
  type GovernedStream,
} from '../../services/policy-engine/src/stream/governed-stream';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEY,
  produceLines,
  readEngineOutput,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

describe('the governed stream equals govern dry-run for the same ordered input', () => {
  let broker: KafkaUnderTest;
  let engine: GovernedStream | undefined;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('writes, record for record, the destination records, lineage and dead letters dry-run computes', async () => {
    const prefix = uniquePrefix('equal');
    engine = await startGovernedStream({
      brokers: broker.brokers.join(','),
      clientId: 'engine-equal',
      policyFile: POLICY_FILE,
      pseudonymKey: PSEUDONYM_KEY,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: prefix,
      partitions: 1,
      maxStepRecords: 500,
      maxQueuedPerPartition: 2000,
      createTopics: true,
    });
    const lines = generateEventStream({ seed: 11, customers: 400 });
    const kafka = testKafka(broker.brokers);
    await produceLines(kafka, engine.topics, lines);

    const expected = dryRun(lines, engine.topics);
    const actual = await readEngineOutput(kafka, engine.topics, expected);

    for (const [topic, rows] of expected.perTopic) {
      expect(sorted(actual.perTopic.get(topic) ?? [])).toEqual(sorted(rows));
    }
    expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
    const codes = new Map<string, number>();
    for (const d of actual.deadLetters)
      codes.set(d.headers['dlq.error.code'] ?? '', (codes.get(d.headers['dlq.error.code'] ?? '') ?? 0) + 1);
    expect(codes).toEqual(expected.deadLetters);
  });
});
