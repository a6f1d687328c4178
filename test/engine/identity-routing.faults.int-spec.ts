import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Kafka } from 'kafkajs';
import { ensureTopics } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { engineTopicSpecs, engineTopics, type EngineTopics } from '@app/stream';
import { engineProcessesUnderTest } from './support/engine.process';
import { readCommittedRecords } from './support/committed-records.reader';
import {
  canonicalRecord,
  dryRun,
  POLICY_FILE,
  produceLines,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/**
 * Every destination record, lineage record and dead-letter code equals dry-run's, each exactly once.
 * Read with `readCommittedRecords` (see there why not kafkajs read_committed), again until all of
 * dry-run's count is visible and every transactional record is resolved.
 */
async function expectEqualToDryRun(
  kafka: Kafka,
  topics: EngineTopics,
  lines: readonly string[],
): Promise<void> {
  const expected = dryRun(lines, topics);
  const dlCount = [...expected.deadLetters.values()].reduce((n, x) => n + x, 0);
  const total =
    expected.lineage.length + dlCount + [...expected.perTopic.values()].reduce((n, l) => n + l.length, 0);
  const all = [...topics.destinations.values(), topics.lineage, topics.deadLetter];
  let read = await readCommittedRecords(kafka, all);
  for (
    let waited = 0;
    (read.records.length < total || read.unresolved > 0) && waited < 300_000;
    waited += 2000
  ) {
    await new Promise((r) => setTimeout(r, 2000));
    read = await readCommittedRecords(kafka, all);
  }
  expect(read.unresolved).toBe(0);
  const perTopic = new Map<string, string[]>([...topics.destinations.values()].map((t) => [t, []]));
  const lineage: string[] = [];
  const codes = new Map<string, number>();
  for (const r of read.records) {
    if (r.topic === topics.lineage) {
      const l = JSON.parse(r.value ?? 'null') as { kind: string };
      lineage.push(JSON.stringify(l.kind === 'dead-letter' ? { ...l, reason: '' } : l));
    } else if (r.topic === topics.deadLetter) {
      const code = r.headers['dlq.error.code'] ?? '';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    } else perTopic.get(r.topic)?.push(canonicalRecord(r.key, r.value, r.headers));
  }
  for (const [topic, rows] of expected.perTopic)
    expect(sorted(perTopic.get(topic) ?? [])).toEqual(sorted(rows));
  expect(sorted(lineage)).toEqual(sorted(expected.lineage));
  expect(codes).toEqual(expected.deadLetters);
}

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

  it('after kill -9 inside an open transaction and a restart, output equals dry-run; the homes and consent state came back', async () => {
    const { kafka, topics, lines, env } = await setUp('route-kill', 5);
    const first = engines.start({
      ...env,
      ENGINE_FIXTURE_HOLD_AFTER: String(Math.floor(lines.length / 3)),
    });
    await first.waitFor((e) => e.event === 'transaction-open', 240_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = engines.start(env);
    const homes = await second.waitFor((e) => e.msg === 'raw inputs claimed and identity homes restored');
    expect(Number(homes.aliases)).toBeGreaterThan(0);
    const tasks = await second.waitFor((e) => e.msg === 'tasks claimed and consent state restored');
    expect(Number(tasks.restoredSubjects)).toBeGreaterThan(0);

    await expectEqualToDryRun(kafka, topics, lines);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('with two instances sharing the tasks and one killed with -9 inside a transaction, output equals dry-run', async () => {
    const { kafka, topics, lines, env } = await setUp('route-kill-shared', 13);
    const a = engines.start({ ...env, ENGINE_FIXTURE_HOLD_AFTER: '3000' });
    await a.waitFor((e) => e.event === 'committed' && Number(e.total) >= 1000, 120_000);
    const b = engines.start(env);
    await b.waitFor((e) => e.event === 'committed' && (e.partitions as number[]).length > 0, 120_000);
    // Both hold decision tasks now: imports wait for states the other process exports. Kill a (it
    // holds the router too: it joined first) while one of its step transactions is open.
    const from = a.events.length;
    await a.waitFor((e) => e.event === 'transaction-open' && a.events.indexOf(e) >= from, 120_000);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    // b takes over the router and every task once the group drops the dead member.
    await b.waitFor(
      (e) => e.msg === 'raw inputs claimed and identity homes restored' && Number(e.partitions) > 0,
      180_000,
    );

    await expectEqualToDryRun(kafka, topics, lines);
    b.child.kill('SIGTERM');
    await b.exited;
  });

  it('with a second instance joining and the first leaving mid-run, output equals dry-run', async () => {
    const { kafka, topics, lines, env } = await setUp('route-rebalance', 9);
    const a = engines.start(env);
    await a.waitFor((e) => e.event === 'committed' && Number(e.total) >= 3000, 120_000);
    const b = engines.start(env);
    await b.waitFor((e) => e.event === 'committed' && (e.partitions as number[]).length > 0, 120_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    // The router moved to b as well (it runs in its own group, on one member at a time).
    await b.waitFor(
      (e) => e.msg === 'raw inputs claimed and identity homes restored' && Number(e.partitions) > 0,
    );

    await expectEqualToDryRun(kafka, topics, lines);
    b.child.kill('SIGTERM');
    await b.exited;
  });
});
