import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Kafka } from 'kafkajs';
import { ensureTopics } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics, type EngineTopics } from '@app/stream';
import { engineProcessesUnderTest, type EngineEvent } from './support/engine.process';
import { expectCommittedEqualsDryRun as expectEqualToDryRun } from './support/committed-equals-dry-run';
import { POLICY_FILE, produceLines, testKafka, uniquePrefix } from './support/engine-stream.kit';

/** A `claimed` event of the fixture for the given stage. */
const claimOf = (e: EngineEvent, stage: 'tasks' | 'router'): boolean =>
  e.event === 'claimed' && e.stage === stage;

// The router and the handover between tasks keep the engine's exactly-once guarantees: a process
// killed inside open transactions, or tasks and the router moving to another instance, still
// leave output equal to dry-run across 4 partitions.
describe('identity routing under faults (4 partitions)', () => {
  const engines = engineProcessesUnderTest();

  const setUp = async (
    name: string,
    seed: number,
  ): Promise<{ kafka: Kafka; topics: EngineTopics; lines: string[]; env: Record<string, string> }> => {
    const prefix = uniquePrefix(name);
    const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
    const topics = engineTopics(policy, prefix);
    const kafka = testKafka(engines.brokers);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, engineTopicSpecs(topics, 4));
    await admin.disconnect();
    const lines = generateEventStream({ seed, customers: 4000 });
    await produceLines(kafka, topics, lines);
    const env = {
      KAFKA_BROKERS: engines.brokers.join(','),
      POLICY_FILE,
      ENGINE_TOPIC_PREFIX: prefix,
      ENGINE_PARTITIONS: '4',
      ENGINE_GROUP_ID: `engine-${randomUUID().slice(0, 8)}`,
      ENGINE_MAX_STEP_RECORDS: '200',
      ENGINE_IDENTITY_ROUTING: 'true',
    };
    return { kafka, topics, lines, env };
  };

  engines.test(
    'after kill -9 inside an open transaction and a restart, output equals dry-run; the homes and consent state came back',
    async () => {
      const { kafka, topics, lines, env } = await setUp('route-kill', 5);
      const first = engines.start({
        ...env,
        ENGINE_FIXTURE_HOLD_AFTER: String(Math.floor(lines.length / 3)),
      });
      await first.waitFor((e) => e.event === 'transaction-open', 240_000);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');

      const second = engines.start(env);
      const homes = await second.waitFor((e) => claimOf(e, 'router'));
      expect(Number(homes.aliases)).toBeGreaterThan(0);
      const tasks = await second.waitFor((e) => claimOf(e, 'tasks'));
      expect(Number(tasks.restoredSubjects)).toBeGreaterThan(0);

      await expectEqualToDryRun(kafka, topics, lines, POLICY_FILE, { requireAggregateFigures: true });
      second.child.kill('SIGTERM');
      await second.exited;
    },
  );

  engines.test(
    'with two instances sharing the tasks and one killed with -9 inside a transaction, output equals dry-run',
    async () => {
      const { kafka, topics, lines, env } = await setUp('route-kill-shared', 13);
      // a holds its commits from 1000 records on: b joins while most of the input is still to come.
      const a = engines.start({ ...env, ENGINE_FIXTURE_HOLD_AFTER: '1000' });
      await a.waitFor((e) => e.event === 'transaction-open', 120_000);
      const b = engines.start(env);
      await b.waitFor((e) => claimOf(e, 'tasks') && (e.partitions as number[]).length > 0, 120_000);
      // Both hold decision tasks now: imports wait for states the other process exports. a's held
      // commits go through (those on tasks b took are fenced), a claims afresh, and its next commit
      // is held again: a is killed with -9 while that step transaction is certainly open.
      const released = a.events.length;
      a.send('release');
      a.send('hold');
      await a.waitFor((e, i) => i >= released && e.event === 'transaction-open', 120_000);
      const killed = b.events.length;
      a.child.kill('SIGKILL');
      expect(await a.exited).toBe('SIGKILL');
      // b takes over the router and every task once the group drops the dead member.
      await b.waitFor((e, i) => i >= killed && claimOf(e, 'router') && Number(e.partitions) > 0, 180_000);

      await expectEqualToDryRun(kafka, topics, lines, POLICY_FILE, { requireAggregateFigures: true });
      b.child.kill('SIGTERM');
      await b.exited;
    },
  );

  engines.test(
    'with a second instance joining and the first leaving mid-run, output equals dry-run',
    async () => {
      const { kafka, topics, lines, env } = await setUp('route-rebalance', 9);
      // a holds its commits from 3000 records on: b surely joins, and a leaves, mid-run.
      const a = engines.start({ ...env, ENGINE_FIXTURE_HOLD_AFTER: '3000' });
      await a.waitFor((e) => e.event === 'transaction-open', 120_000);
      const b = engines.start(env);
      await b.waitFor((e) => claimOf(e, 'tasks') && (e.partitions as number[]).length > 0, 120_000);
      // A held commit would hold the graceful stop too: let them through first.
      const stopped = b.events.length;
      a.send('release');
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      // The router moved to b as well (it runs in its own group, on one member at a time).
      await b.waitFor((e, i) => i >= stopped && claimOf(e, 'router') && Number(e.partitions) > 0);

      await expectEqualToDryRun(kafka, topics, lines, POLICY_FILE, { requireAggregateFigures: true });
      b.child.kill('SIGTERM');
      await b.exited;
    },
  );
});
