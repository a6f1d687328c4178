import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadPolicy } from '@app/policy';
import { type LineageRecord } from '@app/contracts';
import { ensureTopics } from '@app/kafka';
import { type ConsumedRecord } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics } from '@app/stream';
import { readCommittedUntil } from './support/committed-records.reader';
import { engineProcessesUnderTest, type EngineEvent } from './support/engine.process';
import {
  dryRun,
  outputTopics,
  POLICY_FILE,
  produceLines,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/**
 * Event id of every decision, (event id, destination, subject) of every suppression (a stop under an
 * address two customers claimed suppresses both at one destination), evidence id of every assessment,
 * dead-letter ids.
 */
function lineageKeys(lineage: readonly LineageRecord[]): string[] {
  return lineage.map((l) => {
    switch (l.kind) {
      case 'decision':
        return `decision ${l.eventId}`;
      case 'consent-assessment':
        return `assessment ${l.evidenceId}`;
      case 'identity-link':
        return `link ${l.eventId}`;
      case 'suppression':
        return `suppression ${l.eventId} ${l.destination} ${l.subject}`;
      case 'dead-letter':
        return `dead-letter ${l.eventId} ${l.code}`;
      case 'aggregate-count':
        return `aggregate-count ${l.aggregate} ${l.campaign} ${l.type} ${l.day} ${l.count}`;
    }
  });
}

const isTasksClaim = (e: EngineEvent): boolean => e.event === 'claimed' && e.stage === 'tasks';

describe('several instances share the tasks', () => {
  const engines = engineProcessesUnderTest();

  engines.test(
    'with a second instance joining and the first leaving mid-run, every decision, assessment and dead letter is written exactly once',
    async () => {
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

      // a holds its commits from 3000 records on, so b surely joins mid-run: most input is still to come.
      const a = engines.start({ ...env, ENGINE_FIXTURE_HOLD_AFTER: '3000' });
      await a.waitFor((e) => e.event === 'transaction-open', 120_000);
      const b = engines.start(env);
      // The rebalance: b is given tasks (fencing a's held transactions on them), a keeps the others.
      await b.waitFor((e) => isTasksClaim(e) && (e.partitions as number[]).length > 0, 120_000);
      const released = a.events.length;
      a.send('release');
      await a.waitFor((e, i) => i >= released && isTasksClaim(e) && (e.partitions as number[]).length === 2);
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);

      const expected = dryRun(lines, topics);
      const expectedKeys = lineageKeys(expected.lineage.map((l) => JSON.parse(l) as LineageRecord));
      const decisions = expectedKeys.filter((k) => k.startsWith('decision ')).length;
      // Every decision visible, read exactly (a's fenced and aborted transactions overlap: kafkajs's
      // read_committed would let some of their records through, see readCommittedRecords).
      const outputs = [topics.lineage, topics.deadLetter, ...outputTopics(topics)];
      const read = await readCommittedUntil(
        kafka,
        outputs,
        (rs) =>
          rs.filter((r) => r.topic === topics.lineage && r.value?.includes('"kind":"decision"')).length >=
          decisions,
      );
      b.child.kill('SIGTERM');
      await b.exited;
      expect(read.unresolved).toBe(0);
      const of = (topic: string): ConsumedRecord[] => read.records.filter((r) => r.topic === topic);
      const lineage = of(topics.lineage).map((r) => JSON.parse(r.value ?? '') as LineageRecord);

      const keys = lineageKeys(lineage);
      // Inputs that are not JSON have no id: those are counted, every other key must be unique.
      const identified = keys.filter((k) => !k.includes(' null '));
      expect(identified.length).toBe(new Set(identified).size);
      const byKind = (ks: string[], kind: string): string[] => ks.filter((k) => k.startsWith(kind)).sort();
      for (const kind of ['decision', 'assessment', 'link', 'dead-letter', 'aggregate-count']) {
        expect(byKind(keys, kind)).toEqual(byKind(expectedKeys, kind));
      }
      for (const topic of outputTopics(topics)) {
        const ids = of(topic).map((r) => r.headers['decision-id']);
        expect(ids.length).toBe(new Set(ids).size);
      }
      const deadLetters = of(topics.deadLetter);
      expect(deadLetters.length).toBe([...expected.deadLetters.values()].reduce((n, x) => n + x, 0));
    },
  );
});
