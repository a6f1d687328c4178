import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type KafkaMessage } from 'kafkajs';
import { loadPolicy } from '@app/policy';
import { type LineageRecord } from '@app/contracts';
import { ensureTopics, readTopicToEnd } from '@app/kafka';
import { consumeUntil } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics } from '@app/stream';
import { engineProcessesUnderTest } from './support/engine.process';
import { dryRun, POLICY_FILE, produceLines, testKafka, uniquePrefix } from './support/engine-stream.kit';

/** (eventId, destination) of every decision, evidence id of every assessment, dead-letter ids. */
function lineageKeys(lineage: readonly LineageRecord[]): string[] {
  return lineage.map((l) => {
    switch (l.kind) {
      case 'decision':
        return `decision ${l.eventId} ${l.destination}`;
      case 'consent-assessment':
        return `assessment ${l.evidenceId}`;
      case 'identity-link':
        return `link ${l.eventId}`;
      case 'suppression':
        return `suppression ${l.decisionId}`;
      case 'dead-letter':
        return `dead-letter ${l.eventId} ${l.code}`;
    }
  });
}

describe('several instances share the tasks', () => {
  const engines = engineProcessesUnderTest();

  it('with a second instance joining and the first leaving mid-run, every decision, assessment and dead letter is written exactly once', async () => {
    const prefix = uniquePrefix('rebalance');
    const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
    const topics = engineTopics(policy, prefix);
    const kafka = testKafka(engines.brokers);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, engineTopicSpecs(topics, 4));
    await admin.disconnect();
    const lines = generateEventStream({ seed: 9, customers: 5000 });
    await produceLines(kafka, topics, lines);
    const env = {
      KAFKA_BROKERS: engines.brokers.join(','),
      POLICY_FILE,
      ENGINE_TOPIC_PREFIX: prefix,
      ENGINE_PARTITIONS: '4',
      ENGINE_GROUP_ID: `engine-${randomUUID().slice(0, 8)}`,
      ENGINE_MAX_STEP_RECORDS: '200',
    };

    const a = engines.start(env);
    await a.waitFor((e) => e.event === 'committed' && Number(e.total) >= 3000, 120_000);
    const b = engines.start(env);
    // The rebalance: b is given tasks, a keeps the others.
    await b.waitFor((e) => e.event === 'committed' && (e.partitions as number[]).length > 0, 120_000);
    await a.waitFor((e) => e.event === 'committed' && (e.partitions as number[]).length === 2, 120_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    const expected = dryRun(lines, topics);
    const expectedKeys = lineageKeys(expected.lineage.map((l) => JSON.parse(l) as LineageRecord));
    const decisions = expectedKeys.filter((k) => k.startsWith('decision ')).length;
    // Wait until every decision is visible, then take a snapshot of every output topic to its end.
    await consumeUntil(kafka, [topics.lineage], {
      timeoutMs: 240_000,
      until: (rs) => rs.filter((r) => r.value?.includes('"kind":"decision"')).length >= decisions,
    });
    const read = async (topic: string): Promise<KafkaMessage[]> => {
      const out: KafkaMessage[] = [];
      await readTopicToEnd(kafka, { topic, onBatch: ({ messages }) => void out.push(...messages) });
      return out;
    };
    const lineage = (await read(topics.lineage)).map(
      (m) => JSON.parse(m.value?.toString() ?? '') as LineageRecord,
    );
    b.child.kill('SIGTERM');
    await b.exited;

    const keys = lineageKeys(lineage);
    // Inputs that are not JSON have no id: those are counted, every other key must be unique.
    const identified = keys.filter((k) => !k.includes(' null '));
    expect(identified.length).toBe(new Set(identified).size);
    const byKind = (ks: string[], kind: string): string[] => ks.filter((k) => k.startsWith(kind)).sort();
    for (const kind of ['decision', 'assessment', 'link', 'dead-letter']) {
      expect(byKind(keys, kind)).toEqual(byKind(expectedKeys, kind));
    }
    for (const topic of topics.destinations.values()) {
      const ids = (await read(topic)).map((m) => m.headers?.['decision-id']?.toString());
      expect(ids.length).toBe(new Set(ids).size);
    }
    const deadLetters = await read(topics.deadLetter);
    expect(deadLetters.length).toBe([...expected.deadLetters.values()].reduce((n, x) => n + x, 0));
  });
});
