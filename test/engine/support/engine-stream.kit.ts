import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { producerConfig } from '@app/kafka';
import { consumeUntil, provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import type { LineageRecord, RenderedDecision } from '@app/contracts';
import { countReplayed, type LineTopic, loadPolicy, renderLineage, replayLines } from '@app/policy';
import { generateEventStream, routeLine, sampleChunks } from '@app/sample';
import {
  latestPerKey,
  startGovernedStream,
  type EngineTopics,
  type GovernedStream,
  type GovernedStreamConfig,
} from '@app/stream';

export const POLICY_FILE = join(__dirname, '..', '..', '..', 'policies', 'example.yaml');
export { PSEUDONYM_KEYS, PSEUDONYM_KEYS_ENV } from './test-keyring';
import { PSEUDONYM_KEYS } from './test-keyring';

/**
 * The decisions in lineage read from a topic, rendered per destination against the text of the
 * policy the engine ran (lineage v2 stores a digest per event, R27).
 */
export function renderedDecisions(lineage: readonly LineageRecord[]): RenderedDecision[] {
  return renderLineage(
    loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: basename(POLICY_FILE) }),
    lineage,
  );
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({
    clientId: `engine-test-${randomUUID().slice(0, 6)}`,
    brokers,
    logLevel: logLevel.NOTHING,
  });
}

/** A topic prefix no other run uses. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomUUID().slice(0, 8)}.`;
}

/**
 * The engine as the services' tests run it: the example policy, the test keyring, one partition,
 * identity routing off, its topics created under `prefix` (one from `uniquePrefix`).
 */
export function startTestEngine(
  brokers: string[],
  prefix: string,
  overrides: Partial<GovernedStreamConfig> = {},
): Promise<GovernedStream> {
  return startGovernedStream({
    kafka: { brokers, clientId: `engine-${prefix}` },
    policyFile: POLICY_FILE,
    pseudonymKeys: PSEUDONYM_KEYS,
    groupId: `engine-${randomUUID().slice(0, 8)}`,
    topicPrefix: prefix,
    partitions: 1,
    identityRouting: false,
    maxStepRecords: 500,
    maxQueuedPerPartition: 2000,
    createTopics: true,
    ...overrides,
  });
}

export { routeLine };

/**
 * Produces the lines in file order with strictly increasing record timestamps (the produced order the
 * engine merges by), in chunks so memory stays bounded. `transactional`: each chunk in its own
 * transaction, as an exactly-once source connector writes (every topic then ends with a marker).
 */
export async function produceLines(
  kafka: Kafka,
  topics: EngineTopics,
  lines: readonly string[],
  options: { readonly transactional?: boolean } = {},
): Promise<void> {
  const producer: Producer = kafka.producer(
    producerConfig({
      idempotent: true,
      maxInFlightRequests: 1,
      ...(options.transactional === true ? { transactionalId: `source-${randomUUID()}` } : {}),
    }),
  );
  await producer.connect();
  try {
    for (const topicMessages of sampleChunks(lines, topics)) {
      if (options.transactional !== true) {
        await producer.sendBatch({ topicMessages });
        continue;
      }
      const transaction = await producer.transaction();
      await transaction.sendBatch({ topicMessages });
      await transaction.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

/** What `govern dry-run` produces for these lines, in the shapes the topics carry. */
export interface ExpectedOutput {
  perTopic: Map<string, string[]>;
  /**
   * Suppression topic → per key the latest record, tombstones dropped: the subject's current
   * suppressed purposes (dry-run's `<destination>.suppressions.ndjson`).
   */
  suppressions: Map<string, string[]>;
  /** Records written to the suppression topics in all (tombstones included), before compaction. */
  suppressionWrites: number;
  /** Suppression topic → every record written to it, in order (a tombstone as `<key>:null`). */
  suppressionLog: Map<string, string[]>;
  lineage: string[];
  deadLetters: Map<string, number>;
}

/**
 * `topicOf`: the topic (as the policy names it) each line was read from, when the test produces
 * lines elsewhere than their `source` says; absent, dry-run reads a mixed file, as the CLI does.
 * `policyFile`: the policy the engine under test was started with (default: the example policy).
 */
export function dryRun(
  lines: readonly string[],
  topics: EngineTopics,
  topicOf?: LineTopic,
  policyFile: string = POLICY_FILE,
): ExpectedOutput {
  const policy = loadPolicy(readFileSync(policyFile, 'utf8'), { fileName: basename(policyFile) });
  const { results } = replayLines(
    policy,
    `${lines.join('\n')}\n`,
    { pseudonymKeys: PSEUDONYM_KEYS },
    topicOf,
  );
  const perTopic = new Map<string, string[]>(outputTopics(topics).map((t) => [t, []]));
  const suppressed = new Map<string, { key: string; line: string | null }[]>(
    [...topics.suppressions.values()].map((t) => [t, []]),
  );
  let suppressionWrites = 0;
  const lineage: string[] = [];
  const deadLetters = new Map<string, number>();
  for (const { result } of results) {
    for (const r of result.records) {
      const line = canonicalRecord(r.key, JSON.stringify(r.value), r.headers);
      perTopic.get(topics.destinations.get(r.destination) as string)?.push(line);
    }
    for (const s of result.suppressionStates ?? []) {
      const line = s.value === null ? null : canonicalRecord(s.key, JSON.stringify(s.value), s.headers);
      suppressed.get(topics.suppressions.get(s.destination) as string)?.push({ key: s.key, line });
      suppressionWrites++;
    }
    // Dry-run lineage of dead letters names the file line; the stream's names nothing (no line).
    for (const l of result.lineage)
      lineage.push(JSON.stringify(l.kind === 'dead-letter' ? { ...l, reason: '' } : l));
    if (result.deadLetter)
      deadLetters.set(result.deadLetter.code, (deadLetters.get(result.deadLetter.code) ?? 0) + 1);
  }
  // R23's anonymous counts: every figure the counting publishes, with its lineage.
  for (const { record, lineage: l } of countReplayed(
    policy,
    results.map((r) => r.result),
  )) {
    perTopic
      .get(topics.aggregates.get(record.aggregate) as string)
      ?.push(canonicalRecord(record.key, JSON.stringify(record.value), record.headers));
    lineage.push(JSON.stringify(l));
  }
  const suppressions = new Map([...suppressed].map(([t, rs]) => [t, currentSuppressions(rs)] as const));
  const suppressionLog = new Map(
    [...suppressed].map(([t, rs]) => [t, rs.map((r) => r.line ?? `${r.key}:null`)] as const),
  );
  return { perTopic, suppressions, suppressionWrites, suppressionLog, lineage, deadLetters };
}

/** What compaction keeps of a suppression topic: the latest line per key, tombstones (null) dropped. */
export function currentSuppressions(
  records: readonly { key: string | null; line: string | null }[],
): string[] {
  return latestPerKey(records).flatMap((r) => (r.line === null ? [] : [r.line]));
}

/** Destination topics and aggregate topics: the outputs compared record for record. */
export function outputTopics(topics: EngineTopics): string[] {
  return [...topics.destinations.values(), ...topics.aggregates.values()];
}

/**
 * The example policy with the aggregate's minimum count set to `k`, written into `dir`: the
 * generated test stream has few opens per campaign and day, so k = 2 makes it publish figures.
 */
export function policyWithMinimumCount(dir: string, k: number): string {
  const file = join(dir, `policy-k${k}.yaml`);
  const text = readFileSync(POLICY_FILE, 'utf8');
  if (!text.includes('    minimumCount: 5\n'))
    throw new Error('the example policy declares no aggregate with k = 5');
  writeFileSync(file, text.replace('    minimumCount: 5\n', `    minimumCount: ${k}\n`));
  return file;
}

export function canonicalRecord(
  key: string | null,
  value: string | null,
  headers: Record<string, string>,
): string {
  const h = Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ key, value: value === null ? null : (JSON.parse(value) as unknown), headers: h });
}

/**
 * Everything the engine wrote, read_committed, once as many records as the dry-run expects are
 * visible (a duplicate would make the comparison fail, a missing record the wait time out).
 */
export async function readEngineOutput(
  kafka: Kafka,
  topics: EngineTopics,
  expected: ExpectedOutput,
  timeoutMs = 120_000,
): Promise<{
  perTopic: Map<string, string[]>;
  suppressions: Map<string, string[]>;
  lineage: string[];
  deadLetters: ConsumedRecord[];
}> {
  const all = [...outputTopics(topics), ...topics.suppressions.values(), topics.lineage, topics.deadLetter];
  let dlCount = 0;
  for (const n of expected.deadLetters.values()) dlCount += n;
  const total =
    expected.lineage.length +
    dlCount +
    expected.suppressionWrites +
    [...expected.perTopic.values()].reduce((n, l) => n + l.length, 0);
  const records = await consumeUntil(kafka, all, { timeoutMs, until: (rs) => rs.length >= total });
  const perTopic = new Map<string, string[]>(outputTopics(topics).map((t) => [t, []]));
  // Records arrive in offset order per partition, and a key has one partition: the last one read
  // per key is the one compaction keeps.
  const suppressed = new Map<string, { key: string | null; line: string | null }[]>(
    [...topics.suppressions.values()].map((t) => [t, []]),
  );
  const lineage: string[] = [];
  const deadLetters: ConsumedRecord[] = [];
  for (const r of records) {
    const compacted = suppressed.get(r.topic);
    if (compacted !== undefined)
      compacted.push({
        key: r.key,
        line: r.value === null ? null : canonicalRecord(r.key, r.value, r.headers),
      });
    else if (r.topic === topics.lineage) {
      const l = JSON.parse(r.value ?? 'null') as { kind: string };
      lineage.push(JSON.stringify(l.kind === 'dead-letter' ? { ...l, reason: '' } : l));
    } else if (r.topic === topics.deadLetter) deadLetters.push(r);
    else perTopic.get(r.topic)?.push(canonicalRecord(r.key, r.value, r.headers));
  }
  const suppressions = new Map([...suppressed].map(([t, rs]) => [t, currentSuppressions(rs)] as const));
  return { perTopic, suppressions, lineage, deadLetters };
}

export const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/**
 * Starts the engine on fresh topics, feeds it the generated stream (seed 11, 400 customers) and
 * asserts that its destination records, lineage and dead-letter codes equal dry-run's record for
 * record. Returns the running engine (the caller stops it) for further checks.
 */
export async function expectStreamEqualsDryRun(
  brokers: string[],
  options: {
    readonly name: string;
    readonly partitions: number;
    readonly identityRouting: boolean;
    /** Sources written by a transactional producer (see produceLines). */
    readonly transactionalSources?: boolean;
    /** The input (default: the generated stream). */
    readonly lines?: readonly string[];
    /** Runs before the input is produced (e.g. to leave an aborted transaction on a topic). */
    readonly beforeProduce?: (kafka: Kafka, topics: EngineTopics) => Promise<void>;
    /** Engine settings besides the kit's (a wrapped decision core, a smaller record limit). */
    readonly engine?: Partial<GovernedStreamConfig>;
    /**
     * Lines (by index) the engine is expected to dead-letter itself, with the code: dry-run is then
     * compared as if they were not in the input, plus one dead letter each.
     */
    readonly engineDeadLetters?: ReadonlyMap<number, string>;
  },
): Promise<{
  engine: GovernedStream;
  kafka: Kafka;
  lines: string[];
  deadLetters: ConsumedRecord[];
  /** Figures dry-run published on the aggregate topics (R23), which the engine's equalled. */
  aggregateFigures: number;
}> {
  const engine = await startGovernedStream({
    kafka: { brokers, clientId: `engine-${options.name}` },
    policyFile: POLICY_FILE,
    pseudonymKeys: PSEUDONYM_KEYS,
    groupId: `engine-${randomUUID().slice(0, 8)}`,
    topicPrefix: uniquePrefix(options.name),
    partitions: options.partitions,
    identityRouting: options.identityRouting,
    maxStepRecords: 500,
    maxQueuedPerPartition: 2000,
    createTopics: true,
    ...options.engine,
  });
  const lines = [...(options.lines ?? generateEventStream({ seed: 11, customers: 400 }))];
  let deadLetters: ConsumedRecord[] = [];
  let aggregateFigures = 0;
  const kafka = testKafka(brokers);
  try {
    await options.beforeProduce?.(kafka, engine.topics);
    await produceLines(kafka, engine.topics, lines, { transactional: options.transactionalSources });

    const skipped = options.engineDeadLetters ?? new Map<number, string>();
    const expected = dryRun(
      lines.filter((_, i) => !skipped.has(i)),
      engine.topics,
      undefined,
      options.engine?.policyFile,
    );
    for (const code of skipped.values())
      expected.deadLetters.set(code, (expected.deadLetters.get(code) ?? 0) + 1);
    const actual = await readEngineOutput(kafka, engine.topics, expected);
    for (const [topic, rows] of expected.perTopic) {
      expect(sorted(actual.perTopic.get(topic) ?? [])).toEqual(sorted(rows));
    }
    // The compacted suppression topics: per subject, the same latest suppression as dry-run's file.
    for (const [topic, rows] of expected.suppressions) {
      expect(sorted(actual.suppressions.get(topic) ?? [])).toEqual(sorted(rows));
    }
    expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
    const codes = new Map<string, number>();
    for (const d of actual.deadLetters)
      codes.set(d.headers['dlq.error.code'] ?? '', (codes.get(d.headers['dlq.error.code'] ?? '') ?? 0) + 1);
    expect(codes).toEqual(expected.deadLetters);
    // Dead letters name the input the bad record was read from (with routing: not the routed copy).
    for (const d of actual.deadLetters) expect(engine.topics.inputs).toContain(d.headers['dlq.source.topic']);
    deadLetters = actual.deadLetters;
    for (const topic of engine.topics.aggregates.values())
      aggregateFigures += expected.perTopic.get(topic)?.length ?? 0;
  } catch (error) {
    // The caller never gets the engine to stop: stop it here, or the test run cannot exit.
    await engine.stop();
    throw error;
  }
  return { engine, kafka, lines, deadLetters, aggregateFigures };
}

/**
 * Jest hooks for a test file that compares in-process engines with dry-run: the broker (from env or
 * a container) for the file, and the engine each test started, stopped after that test.
 */
export function streamsUnderTest(): {
  expectEqualsDryRun(
    options: Parameters<typeof expectStreamEqualsDryRun>[1],
  ): ReturnType<typeof expectStreamEqualsDryRun>;
} {
  let broker: KafkaUnderTest | undefined;
  let engine: GovernedStream | undefined;
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });
  afterAll(async () => {
    await broker?.stop();
  });
  return {
    async expectEqualsDryRun(options) {
      if (broker === undefined) throw new Error('the broker is provided in beforeAll');
      const run = await expectStreamEqualsDryRun(broker.brokers, options);
      engine = run.engine;
      return run;
    },
  };
}
