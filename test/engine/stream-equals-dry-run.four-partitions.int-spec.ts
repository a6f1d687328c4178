import { randomUUID } from 'node:crypto';
import { generateEventStream } from '../../cli/govern/event-stream.generator';
import { readTopicToEnd } from '@app/kafka';
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

// Identity links join subjects in different partitions: with identity routing (the router stage and
// the state handover between tasks), 4 tasks still write exactly what one dry-run processor does.
describe('with 4 partitions and identity routing, the governed stream equals govern dry-run', () => {
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
    const prefix = uniquePrefix('equal4');
    engine = await startGovernedStream({
      brokers: broker.brokers.join(','),
      clientId: 'engine-equal4',
      policyFile: POLICY_FILE,
      pseudonymKey: PSEUDONYM_KEY,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: prefix,
      partitions: 4,
      identityRouting: true,
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
    // The links in this stream did move state between tasks (else the test would prove little).
    let handovers = 0;
    await readTopicToEnd(kafka, {
      topic: engine.topics.handover,
      onBatch: ({ messages }) => void (handovers += messages.length),
    });
    expect(handovers).toBeGreaterThan(10);
    // The router's metrics: every input routed, the handovers counted, raw-input lag drained.
    const metric = async (name: string): Promise<number> =>
      ((await engine?.metrics.registry.getSingleMetric(name)?.get())?.values ?? []).reduce(
        (n, v) => n + v.value,
        0,
      );
    expect(await metric('engine_routed_total')).toBe(lines.length);
    expect(await metric('engine_handovers_total')).toBeGreaterThan(10);
    const lag = await engine.metrics.registry.getSingleMetric('engine_consumer_lag')?.get();
    const rawLag = (lag?.values ?? []).filter((v) => engine?.topics.inputs.includes(String(v.labels.topic)));
    expect(rawLag.length).toBeGreaterThan(0);
    expect(rawLag.every((v) => v.value === 0)).toBe(true);
    // Dead letters name the input the bad record was read from, not the routed copy.
    for (const d of actual.deadLetters) expect(engine.topics.inputs).toContain(d.headers['dlq.source.topic']);
  });
});
