import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka } from 'kafkajs';
import { CONSENT_EVIDENCE_EVENT_TYPE, validateCloudEvent } from '@app/contracts';
import { producerConfig } from '@app/kafka';
import { consumeUntil, provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { startGovernedStream, type GovernedStream } from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS,
  readEngineOutput,
  routeLine,
  sorted,
  testKafka,
  uniquePrefix,
  type ExpectedOutput,
} from './support/engine-stream.kit';

/**
 * The Kafka binary-mode form of a structured CloudEvent (CloudEvents Kafka binding): attributes in
 * `ce_*` headers, `datacontenttype` as `content-type`, the data as the value.
 */
function toBinaryMode(line: string): { headers: IHeaders; value: string } {
  const { data, datacontenttype, ...attributes } = JSON.parse(line) as Record<string, unknown>;
  const headers: IHeaders = {};
  for (const [name, v] of Object.entries(attributes)) headers[`ce_${name}`] = String(v);
  if (typeof datacontenttype === 'string') headers['content-type'] = datacontenttype;
  return { headers, value: JSON.stringify(data) };
}

/**
 * Source events that have a binary-mode form: valid envelopes with string attributes, well below the
 * size limit (the generated stream also holds bad lines; those stay as they are).
 */
function isSourceEvent(line: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  const decoded = validateCloudEvent(parsed);
  if (!decoded.ok || decoded.event.type === CONSENT_EVIDENCE_EVENT_TYPE || line.length > 60_000) return false;
  const { data: _data, ...attributes } = parsed as Record<string, unknown>;
  return Object.values(attributes).every((v) => typeof v === 'string');
}

// Binary-mode CloudEvents (attributes in ce_* headers) on the real broker.
describe('the governed stream with binary-mode CloudEvents', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let engine: GovernedStream;
  let expected: ExpectedOutput;
  let stream: Awaited<ReturnType<typeof readEngineOutput>>;
  const lines = generateEventStream({ seed: 11, customers: 12 });

  /** Produces records in the given order with increasing timestamps (the produced order). */
  async function produce(
    records: { topic: string; key: string | null; value: string; headers?: IHeaders }[],
  ) {
    const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    try {
      const base = Date.now() - records.length - 1000;
      for (const [i, r] of records.entries()) {
        await producer.send({
          topic: r.topic,
          messages: [{ key: r.key, value: r.value, headers: r.headers, timestamp: String(base + i) }],
        });
      }
    } finally {
      await producer.disconnect();
    }
  }

  beforeAll(async () => {
    broker = await provideKafka();
    kafka = testKafka(broker.brokers);
    engine = await startGovernedStream({
      kafka: { ...broker.client, clientId: 'engine-binary' },
      policyFile: POLICY_FILE,
      pseudonymKeys: PSEUDONYM_KEYS,
      // A group of its own: engines of other runs in a shared group would split the tasks with it.
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('binary'),
      partitions: 1,
      maxStepRecords: 200,
      maxQueuedPerPartition: 1000,
      createTopics: true,
    });
    // Every source event in binary mode; consent evidence stays structured (as the consent service
    // publishes it). The dry-run of the same lines, all structured, is what the stream must equal.
    expected = dryRun(lines, engine.topics);
    await produce(
      lines.map((line) => {
        const { topic, key } = routeLine(line, engine.topics);
        return isSourceEvent(line) ? { topic, key, ...toBinaryMode(line) } : { topic, key, value: line };
      }),
    );
    stream = await readEngineOutput(kafka, engine.topics, expected);
  });
  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
  });

  it('converts a meaningful share of the stream to binary mode', () => {
    expect(lines.filter(isSourceEvent).length).toBeGreaterThan(lines.length / 2);
  });

  it('writes the same destination records as the structured events get', () => {
    expect([...expected.perTopic.values()].flat().length).toBeGreaterThan(0);
    for (const [topic, records] of expected.perTopic) {
      expect({ topic, records: sorted(stream.perTopic.get(topic) ?? []) }).toEqual({
        topic,
        records: sorted(records),
      });
    }
  });

  it('records the same lineage as the structured events get', () => {
    expect(sorted(stream.lineage)).toEqual(sorted(expected.lineage));
  });

  it('dead-letters a binary-mode event without ce_id with its value bytes and headers preserved', async () => {
    const good = lines.find(isSourceEvent) as string;
    const { topic, key } = routeLine(good, engine.topics);
    const { headers, value } = toBinaryMode(good);
    delete headers['ce_id'];
    const marker = `trace-${randomUUID()}`;
    headers['trace-id'] = marker;
    await produce([{ topic, key, value, headers }]);

    const [letter] = (
      await consumeUntil(kafka, [engine.topics.deadLetter], {
        timeoutMs: 60_000,
        until: (rs) => rs.some((r) => r.headers['trace-id'] === marker),
      })
    ).filter((r: ConsumedRecord) => r.headers['trace-id'] === marker);

    expect(letter?.value).toBe(value);
    expect(letter?.key).toBe(key);
    const { 'trace-id': _trace, ...original } = headers;
    expect(letter?.headers).toMatchObject({ ...original, 'trace-id': marker });
    expect(letter?.headers['ce_id']).toBeUndefined();
    expect(letter?.headers).toMatchObject({
      'dlq.source.topic': topic,
      'dlq.source.partition': '0',
      'dlq.error.code': 'invalid-envelope',
    });
    expect(letter?.headers['dlq.error.reason']).toMatch(/^id:/);
  });
});
