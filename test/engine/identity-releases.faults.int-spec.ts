import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTopics, readTopicToEnd } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics } from '@app/stream';
import { isReleaseLogKey } from '@app/stream/identity-homes.release-log';
import { comebackTail, expiringPolicyText } from '../../libs/stream/test/identity-releases.harness';
import { expectCommittedEqualsDryRun } from './support/committed-equals-dry-run';
import { engineProcessesUnderTest, type EngineEvent } from './support/engine.process';
import { POLICY_FILE, produceLines, testKafka, uniquePrefix } from './support/engine-stream.kit';

const claimOf = (e: EngineEvent, stage: 'tasks' | 'router'): boolean =>
  e.event === 'claimed' && e.stage === stage;

// Releases commit with the tombstones that caused them, and dropped groups with the router's step:
// killed with -9 while tasks and the router hold open transactions full of both, a restarted engine
// still writes exactly what dry-run computes.
describe('shrinking the identity router table under kill -9 (4 partitions, 30-day horizon)', () => {
  const engines = engineProcessesUnderTest();
  const dir = mkdtempSync(join(tmpdir(), 'identity-releases-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  engines.test(
    'after kill -9 inside open transactions with releases and drops, output equals dry-run',
    async () => {
      const policyFile = join(dir, 'policy.yaml');
      writeFileSync(policyFile, expiringPolicyText(readFileSync(POLICY_FILE, 'utf8')));
      const prefix = uniquePrefix('releases-kill');
      const topics = engineTopics(
        loadPolicy(readFileSync(policyFile, 'utf8'), { fileName: 'p.yaml' }),
        prefix,
      );
      const kafka = testKafka(engines.brokers);
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, engineTopicSpecs(topics, 4));
      await admin.disconnect();
      const sample = generateEventStream({ seed: 11, customers: 400 });
      const tail = comebackTail(sample);
      const lines = [...sample, ...tail];
      // One produce call: timestamps strictly increase over all lines (see sampleChunks).
      await produceLines(kafka, topics, lines);
      const env = {
        KAFKA_BROKERS: engines.brokers.join(','),
        POLICY_FILE: policyFile,
        ENGINE_TOPIC_PREFIX: prefix,
        ENGINE_PARTITIONS: '4',
        ENGINE_GROUP_ID: `engine-${randomUUID().slice(0, 8)}`,
        ENGINE_MAX_STEP_RECORDS: '200',
        ENGINE_IDENTITY_ROUTING: 'true',
      };

      const first = engines.start(env);
      // Once the router has dropped groups, every commit from then on is held: the kill finds the
      // tasks' releases and tombstones, and the router's drops, inside open transactions.
      await first.waitFor((e) => e.event === 'dropped', 300_000);
      const held = first.events.length;
      first.send('hold');
      await first.waitFor((e, i) => i >= held && e.event === 'transaction-open', 120_000);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const second = engines.start(env);
      const restored = await second.waitFor((e) => claimOf(e, 'router'), 180_000);
      expect(Number(restored.aliases)).toBeGreaterThan(0);
      await expectCommittedEqualsDryRun(kafka, topics, lines, policyFile);
      second.child.kill('SIGTERM');
      await second.exited;

      // The first instance's committed drops are on the homes changelog.
      let tombstones = 0;
      await readTopicToEnd(kafka, {
        topic: topics.homes,
        onBatch: ({ messages }) => {
          for (const m of messages)
            if (m.value === null && (m.key?.length ?? 0) > 0 && !isReleaseLogKey(m.key)) tombstones++;
        },
      });
      expect(tombstones).toBeGreaterThan(0);
    },
    600_000,
  );
});
