import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadPolicy } from '@app/policy';
import { ensureTopics } from '@app/kafka';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics } from '@app/stream';
import { engineProcessesUnderTest } from './support/engine.process';
import {
  dryRun,
  POLICY_FILE,
  produceLines,
  readEngineOutput,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

describe('exactly once across kill -9 and restart', () => {
  const engines = engineProcessesUnderTest();

  engines.test(
    'after kill -9 in an open transaction and a restart, every expected record is there exactly once and consent state came back from the changelog',
    async () => {
      const prefix = uniquePrefix('kill');
      const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
      const topics = engineTopics(policy, prefix);
      const kafka = testKafka(engines.brokers);
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, engineTopicSpecs(topics, 1));
      await admin.disconnect();

      const lines = generateEventStream({ seed: 5, customers: 12_500 }).slice(0, 50_000);
      expect(lines).toHaveLength(50_000);
      await produceLines(kafka, topics, lines);
      const env = {
        KAFKA_BROKERS: engines.brokers.join(','),
        POLICY_FILE,
        ENGINE_TOPIC_PREFIX: prefix,
        ENGINE_PARTITIONS: '1',
        ENGINE_GROUP_ID: `engine-${randomUUID().slice(0, 8)}`,
      };

      // From 20,000 records on the first engine holds its commits: killed then, it dies with a step's
      // outputs and offsets sent in a transaction that is certainly still open.
      const first = engines.start({ ...env, ENGINE_FIXTURE_HOLD_AFTER: '20000' });
      await first.waitFor((e) => e.event === 'transaction-open', 240_000);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const committedBeforeKill = Math.max(
        ...first.events.filter((e) => e.event === 'committed').map((e) => Number(e.total)),
      );
      expect(committedBeforeKill).toBeGreaterThanOrEqual(20_000);
      expect(committedBeforeKill).toBeLessThan(50_000);

      const second = engines.start(env);
      const restored = await second.waitFor((e) => e.event === 'claimed' && e.stage === 'tasks');
      expect(Number(restored.restoredSubjects)).toBeGreaterThan(0);

      const expected = dryRun(lines, topics);
      const actual = await readEngineOutput(kafka, topics, expected, 300_000);
      second.child.kill('SIGTERM');
      await second.exited;

      for (const [topic, rows] of expected.perTopic) {
        const got = actual.perTopic.get(topic) ?? [];
        expect(got.length).toBe(rows.length);
        expect(new Set(got).size).toBe(got.length);
        expect(sorted(got)).toEqual(sorted(rows));
      }
      // R23's anonymous figures too: each exactly once, with its aggregate-count lineage.
      for (const topic of topics.aggregates.values())
        expect(expected.perTopic.get(topic)?.length ?? 0).toBeGreaterThan(0);
      expect(actual.lineage.length).toBe(expected.lineage.length);
      expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
    },
  );
});
