import { randomUUID } from 'node:crypto';
import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { generateEventStream, routeLine } from '@app/sample';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { startGovernedStream, type GovernedStream } from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  produceLines,
  PSEUDONYM_KEYS,
  readEngineOutput,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/**
 * A source system can write only its own topic, but it can name any declared source in the events
 * it writes there. On the real broker: events whose CloudEvent `source` is not the one the policy
 * declares for the topic they were read from are dead-lettered as `source-topic-mismatch` (original
 * bytes and coordinates, no values), decide nothing, and everything else equals dry-run.
 */
describe('the governed stream binds each event to the source of its topic', () => {
  let broker: KafkaUnderTest | undefined;
  let engine: GovernedStream | undefined;
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
  });

  it('dead-letters forged sources as source-topic-mismatch; the rest equals dry-run', async () => {
    if (broker === undefined) throw new Error('the broker is provided in beforeAll');
    engine = await startGovernedStream({
      kafka: { brokers: broker.brokers, clientId: 'engine-source-binding' },
      policyFile: POLICY_FILE,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('source-binding'),
      partitions: 1,
      identityRouting: false,
      maxStepRecords: 500,
      maxQueuedPerPartition: 2000,
      createTopics: true,
    });
    const { topics } = engine;
    const lines = generateEventStream({ seed: 11, customers: 150 });
    const parsed = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as { id: string; source: string; type: string }];
      } catch {
        return []; // the sample holds deliberately broken lines
      }
    });
    const order = parsed.find((e) => e.source === 'checkout' && e.type === 'order.completed');
    const view = parsed.find((e) => e.source === 'web' && e.type === 'page.viewed');
    if (order === undefined || view === undefined)
      throw new Error('the sample lacks an order or a page view');
    const crm = topics.sources.get('crm') as string;
    // Forged: a checkout order written to the CRM's topic, and a page view written as evidence.
    const forged = [
      { topic: crm, value: JSON.stringify({ ...order, id: `${order.id}-forged` }) },
      { topic: topics.evidence, value: JSON.stringify({ ...view, id: `${view.id}-forged` }) },
    ];
    expect(parsed.some((e) => e.type === CONSENT_EVIDENCE_EVENT_TYPE)).toBe(true);

    const kafka = testKafka(broker.brokers);
    await produceLines(kafka, topics, lines);
    const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    try {
      // After the sample in produced order: later record timestamps.
      for (const f of forged)
        await producer.send({
          topic: f.topic,
          messages: [{ key: 'forged', value: f.value, timestamp: String(Date.now()) }],
        });
    } finally {
      await producer.disconnect();
    }

    // Dry-run told where each line was read from, in the policy's topic names.
    const all = [...lines, ...forged.map((f) => f.value)];
    const readFrom = new Map<number, string>();
    all.forEach((line, i) => {
      const topic =
        i < lines.length ? routeLine(line, topics).topic : (forged[i - lines.length]?.topic as string);
      readFrom.set(i + 1, topics.policyTopicOf.get(topic) as string);
    });
    const expected = dryRun(all, topics, (_text, line) => readFrom.get(line));
    expect(expected.deadLetters.get('source-topic-mismatch')).toBe(2);

    const actual = await readEngineOutput(kafka, topics, expected);
    for (const [topic, rows] of expected.perTopic)
      expect(sorted(actual.perTopic.get(topic) ?? [])).toEqual(sorted(rows));
    expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
    const mismatched = actual.deadLetters.filter(
      (d) => d.headers['dlq.error.code'] === 'source-topic-mismatch',
    );
    expect(mismatched.map((d) => [d.headers['dlq.source.topic'], d.value]).sort()).toEqual(
      forged.map((f) => [f.topic, f.value]).sort(),
    );
    for (const d of mismatched) {
      expect(d.headers['dlq.error.reason']).toBe(
        'source: not the source the policy declares for the topic this event was read from',
      );
    }
    // The forged events decided nothing: no governed record carries their ids.
    const governed = [...actual.perTopic.values()].flat().join('\n');
    expect(governed).not.toContain('-forged');
  });
});
