import { randomUUID } from 'node:crypto';
import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { emptySubjectState } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { consumeUntil, provideKafka, until, type KafkaUnderTest } from '@app/testing';
import { startGovernedStream, type GovernedStream, type GovernedStreamConfig } from '@app/stream';
import {
  POLICY_FILE,
  PSEUDONYM_KEYS,
  produceLines,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

describe('a corrupt changelog record', () => {
  let broker: KafkaUnderTest | undefined;
  let engine: GovernedStream | undefined;
  jest.setTimeout(180_000);
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
  });

  it('quarantines its subject: the others are restored, the record and the subject’s inputs are dead-lettered', async () => {
    const brokers = (broker as KafkaUnderTest).brokers;
    const restored: number[] = [];
    const config: GovernedStreamConfig = {
      kafka: { brokers, clientId: 'engine-corrupt' },
      policyFile: POLICY_FILE,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('corrupt'),
      partitions: 1,
      maxStepRecords: 500,
      maxQueuedPerPartition: 2000,
      createTopics: true,
      observer: { tasksClaimed: (e) => restored.push(e.restoredSubjects) },
    };
    // The first start creates the topics; the changelog is then written as a broken writer might.
    const first = await startGovernedStream(config);
    await first.stop();
    const { topics } = first;
    const source = generateEventStream({ seed: 11, customers: 50 })
      .map((l) => {
        try {
          return { line: l, event: JSON.parse(l) as { type?: string; subject?: string } };
        } catch {
          return null;
        }
      })
      .find(
        (e) =>
          e !== null && e.event.type !== CONSENT_EVIDENCE_EVENT_TYPE && typeof e.event.subject === 'string',
      );
    if (!source) throw new Error('no source event in the sample');
    const victim = source.event.subject as string;
    const kafka = testKafka(brokers);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.changelog,
      messages: [
        { key: 'healthy-subject', value: JSON.stringify(emptySubjectState()), partition: 0 },
        { key: victim, value: '{"v":2,"purposes":', partition: 0 },
      ],
    });
    await producer.disconnect();

    engine = await startGovernedStream(config);
    await until(() => engine?.isReady() === true, 60_000);
    expect(restored.at(-1)).toBe(1);
    await produceLines(kafka, topics, [source.line]);

    const dls = await consumeUntil(kafka, [topics.deadLetter, ...topics.destinations.values()], {
      timeoutMs: 60_000,
      until: (rs) => rs.filter((r) => r.headers['dlq.error.code'] === 'corrupt-state').length >= 2,
    });
    const corrupt = dls.filter((r) => r.headers['dlq.error.code'] === 'corrupt-state');
    const fromChangelog = corrupt.find((r) => r.headers['dlq.source.topic'] === topics.changelog);
    expect(fromChangelog?.value).toBe('{"v":2,"purposes":');
    expect(fromChangelog?.key).toBe(victim);
    expect(fromChangelog?.headers['dlq.source.offset']).toBe('1');
    const input = corrupt.find((r) => r.headers['dlq.source.topic'] !== topics.changelog);
    expect(input?.value).toBe(source.line);
    // Nothing reached a destination for the quarantined subject.
    expect(dls.filter((r) => r.headers['dlq.error.code'] === undefined)).toEqual([]);
    for (const r of corrupt) expect(r.headers['dlq.error.reason']).not.toContain(victim);
  });
});
