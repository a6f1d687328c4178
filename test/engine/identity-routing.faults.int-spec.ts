import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Kafka } from 'kafkajs';
import { ensureTopics } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { generateEventStream } from '../../cli/govern/event-stream.generator';
import {
  engineTopicSpecs,
  engineTopics,
  type EngineTopics,
} from '../../services/policy-engine/src/stream/engine-topics';
import { compileEngineFixture, startEngineProcess, type EngineProcess } from './support/engine.process';
import {
  dryRun,
  POLICY_FILE,
  produceLines,
  readEngineOutput,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/** Every destination record, lineage record and dead-letter code equals dry-run's, each exactly once. */
async function expectEqualToDryRun(
  kafka: Kafka,
  topics: EngineTopics,
  lines: readonly string[],
): Promise<void> {
  const expected = dryRun(lines, topics);
  const actual = await readEngineOutput(kafka, topics, expected, 300_000);
  for (const [topic, rows] of expected.perTopic)
    expect(sorted(actual.perTopic.get(topic) ?? [])).toEqual(sorted(rows));
  expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
  const codes = new Map<string, number>();
  for (const d of actual.deadLetters) {
    const code = d.headers['dlq.error.code'] ?? '';
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  expect(codes).toEqual(expected.deadLetters);
}

// The router and the handover between tasks keep the engine's exactly-once guarantees: a process
// killed inside open transactions, or tasks and the router moving to another instance, still
// leave output equal to dry-run across 4 partitions.
describe('identity routing under faults (4 partitions)', () => {
  let broker: KafkaUnderTest;
  let script: string;
  const running: EngineProcess[] = [];

  beforeAll(async () => {
    broker = await provideKafka();
    script = await compileEngineFixture();
  });
  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await broker.stop();
  });

  const setUp = async (
    name: string,
    seed: number,
  ): Promise<{ kafka: Kafka; topics: EngineTopics; lines: string[]; env: Record<string, string> }> => {
    const prefix = uniquePrefix(name);
    const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' });
    const topics = engineTopics(policy, prefix);
    const kafka = testKafka(broker.brokers);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, engineTopicSpecs(topics, 4));
    await admin.disconnect();
    const lines = generateEventStream({ seed, customers: 4000 });
    await produceLines(kafka, topics, lines);
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
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
    const first = startEngineProcess(script, {
      ...env,
      ENGINE_FIXTURE_HOLD_AFTER: String(Math.floor(lines.length / 3)),
    });
    running.push(first);
    await first.waitFor((e) => e.event === 'transaction-open', 240_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = startEngineProcess(script, env);
    running.push(second);
    const homes = await second.waitFor((e) => e.msg === 'raw inputs claimed and identity homes restored');
    expect(Number(homes.aliases)).toBeGreaterThan(0);
    const tasks = await second.waitFor((e) => e.msg === 'tasks claimed and consent state restored');
    expect(Number(tasks.restoredSubjects)).toBeGreaterThan(0);

    await expectEqualToDryRun(kafka, topics, lines);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('with a second instance joining and the first leaving mid-run, output equals dry-run', async () => {
    const { kafka, topics, lines, env } = await setUp('route-rebalance', 9);
    const a = startEngineProcess(script, env);
    running.push(a);
    await a.waitFor((e) => e.event === 'committed' && Number(e.total) >= 3000, 120_000);
    const b = startEngineProcess(script, env);
    running.push(b);
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
