/**
 * `npm run bench:engine`: at least 200,000 generated events through the governed stream (transactions,
 * lineage, changelog on) on the local broker and, in the same run, through a bare kafkajs
 * consume → produce passthrough with the same topics, partitions and batch settings; then the
 * end-to-end latency at half the measured maximum rate; then the bytes the engine wrote per input and
 * the output floor (the engine's own outputs produced again from memory, see output-floor.ts).
 *
 * Without BENCH_IDENTITY_ROUTING it measures both routing settings, each in a child process of its
 * own (so each peak RSS is its own): off, then the engine's default (`auto`, on for the example
 * policy). Each run prints its JSON line; the last line holds both.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { createKafkaClient, ensureTopics, producerConfig, streamTopic, withReplication } from '@app/kafka';
import { generateEventStream } from '@app/sample';
import { publishLines } from '@app/sample';
import {
  kafkaClientSettings,
  kafkaSettingsFromEnv,
  topicReplication,
} from '@app/service-kit/config/kafka-client-settings';
import { parsePseudonymKeyring, startGovernedStream, type GovernedStream } from '@app/stream';
import { readOutputs, runOutputFloor } from './output-floor';
import { runPassthrough } from './passthrough';
import { policyWithoutIdentifiers } from './routing-off-policy';
import { RequestCounts, type RequestFigures } from './request-counts';
import { type StepFigures, StepStats } from './step-stats';

// The services' Kafka variables (KAFKA_BROKERS, TLS, SASL, replication), validated as they are.
const SETTINGS = kafkaSettingsFromEnv(process.env);
const CLIENT = kafkaClientSettings(SETTINGS, { clientId: 'bench-engine' });
const REPLICATION = topicReplication(SETTINGS);
/** The environment's keyring (malformed: the engine's start refuses it), else null: demo mode. */
const KEYRING = parsePseudonymKeyring(
  process.env.GOVERN_PSEUDONYM_KEYS,
  process.env.GOVERN_PSEUDONYM_ACTIVE_KEY,
).keyring;
// About 4 events per customer: 50,000 gives the issue's ≥200,000 (48,600 gave 196,416 once the
// generator's hard cases changed); fewer for quick iterations.
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? '50000');
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? '3');
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? '20000');
// Identity routing (router task + routed topic) as the engine setting ENGINE_IDENTITY_ROUTING:
// auto (the engine's default), true or false.
// Unset: both settings, one child process each (see the module note).
const ROUTING_SETTING = process.env.BENCH_IDENTITY_ROUTING ?? process.env.ENGINE_IDENTITY_ROUTING;
const IDENTITY_ROUTING = ROUTING_SETTING === 'auto' ? 'auto' : ROUTING_SETTING === 'true';
const POLICY_FILE = 'policies/example.yaml';
// BENCH_FLOOR=false skips producing the outputs again (their sizes are still reported).
const FLOOR = process.env.BENCH_FLOOR !== 'false';
const MAX_BYTES_PER_PARTITION = 1048576;
const STEP_RECORDS = Number(process.env.BENCH_MAX_STEP_RECORDS ?? '2000');
// Records queued per input partition before its fetching pauses (the engine's ENGINE_MAX_QUEUED).
const MAX_QUEUED = Number(process.env.BENCH_MAX_QUEUED ?? '10000');
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function eventsIn(engine: GovernedStream): Promise<number> {
  const metric = await engine.metrics.registry.getSingleMetric('engine_events_in_total')?.get();
  return metric?.values.reduce((n, v) => n + v.value, 0) ?? 0;
}

/**
 * Waits until the engine has committed `target` inputs; returns the rate from its first commit seen
 * after publishing on: inputs committed in that window over its length (the engine already runs while
 * the sample is published, so what it committed before the window is not counted).
 */
async function engineRate(engine: GovernedStream, target: number): Promise<{ events: number; ms: number }> {
  let first = 0;
  let before = 0;
  for (let i = 0; i < 60_000; i++) {
    const n = await eventsIn(engine);
    if (n > 0 && first === 0) {
      first = performance.now();
      before = n;
    }
    if (n >= target) return { events: n - before, ms: performance.now() - first };
    await sleep(10);
  }
  throw new Error('engine did not finish within the bench bound');
}

/** Publishes at `rate` events/s with real timestamps and measures send → lineage visible (read_committed). */
async function latencyAt(
  kafka: Kafka,
  engine: GovernedStream,
  rate: number,
): Promise<{ p50: number; p99: number; sent: number; sentBytes: number }> {
  const lines = generateEventStream({ seed: 2, customers: Math.ceil(LATENCY_EVENTS / 4) }).slice(
    0,
    LATENCY_EVENTS,
  );
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-latency-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: engine.topics.lineage, fromBeginning: false });
  let seen = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const id = /"eventId":"([^"]+)"/.exec(m.value?.toString() ?? '')?.[1];
        const t = id === undefined ? undefined : sentAt.get(id);
        if (t !== undefined) {
          latencies.push(now - t);
          sentAt.delete(id as string);
        }
        seen++;
      }
    },
  });
  await sleep(3000); // joined and positioned at the end before anything is sent
  const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
  await producer.connect();
  const started = performance.now();
  const perTick = Math.max(1, Math.round(rate / 100));
  for (let i = 0; i < lines.length; i += perTick) {
    const due = started + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const chunk = lines.slice(i, i + perTick);
    const now = performance.now();
    const messages = chunk.map((line) => {
      const e = JSON.parse(line.startsWith('{"specversion":"1.0","id":"broken') ? '{}' : line) as {
        id?: string;
        type?: string;
        source?: string;
        subject?: string;
      };
      if (e.id !== undefined) sentAt.set(e.id, now);
      const topic =
        e.type === 'consent.evidence'
          ? engine.topics.evidence
          : (engine.topics.sources.get(e.source ?? '') ?? [...engine.topics.sources.values()][0]);
      return {
        topic: topic as string,
        message: { key: e.subject ?? null, value: line, timestamp: String(Date.now()) },
      };
    });
    const byTopic = new Map<string, { key: string | null; value: string; timestamp: string }[]>();
    for (const { topic, message } of messages) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, ms]) => ({ topic, messages: ms })) });
  }
  for (let i = 0; i < 600 && sentAt.size > lines.length * 0.02; i++) await sleep(100);
  await producer.disconnect();
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  say(`  latency sample: ${latencies.length} events (lineage records seen ${seen})`);
  const sentBytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  return { p50: at(0.5), p99: at(0.99), sent: lines.length, sentBytes };
}

/**
 * The policy file the run uses, and how it differs from the example. With routing off on several
 * partitions the engine refuses a policy that links declared identifiers, so that run measures a
 * variant without them (written to a temporary file), and says so.
 */
function benchPolicy(): { file: string; variant: string | null } {
  if (IDENTITY_ROUTING !== false || PARTITIONS <= 1) return { file: POLICY_FILE, variant: null };
  const { text, strippedSources } = policyWithoutIdentifiers(readFileSync(POLICY_FILE, 'utf8'));
  const file = join(mkdtempSync(join(tmpdir(), 'bench-engine-')), 'example-without-identifiers.yaml');
  writeFileSync(file, text);
  const removed = strippedSources.map((s) => `sources.${s}.identifiers`).join(', ') || 'nothing';
  return { file, variant: `${POLICY_FILE} without declared identifiers (${removed} removed)` };
}

async function runOne(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const prefix = `bench-${run}.`;
  const kafka = createKafkaClient(CLIENT);
  // Held only until published: the generated sample (~100 MB in memory) is the bench's, not the
  // engine's, and would otherwise count in the peak RSS measured while the engine works.
  let lines: string[] | null = generateEventStream({ seed: 1, customers: CUSTOMERS });
  const events = lines.length;
  const eventBytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  say(
    `engine bench: ${events} generated events, ${PARTITIONS} partitions per topic, identity routing setting ${ROUTING_SETTING ?? 'auto'}`,
  );

  const policy = benchPolicy();
  if (policy.variant !== null)
    say(
      `  policy: ${policy.variant}; routing off refuses declared identifiers, so evidence under an e-mail address alone is decided apart from the customer in this run`,
    );
  const stats = new StepStats();
  const requests = new RequestCounts();
  const engine = await startGovernedStream({
    kafka: CLIENT,
    replication: REPLICATION,
    policyFile: policy.file,
    pseudonymKeys: KEYRING ?? undefined,
    // A measurement run on generated data: the public demo keyring is acceptable only here.
    demoMode: KEYRING === null,
    groupId: `bench-${run}`,
    topicPrefix: prefix,
    partitions: PARTITIONS,
    maxStepRecords: STEP_RECORDS,
    maxQueuedPerPartition: MAX_QUEUED,
    createTopics: true,
    identityRouting: IDENTITY_ROUTING,
    observer: stats.observer,
    producers: requests.producers,
  });
  say(
    `  identity routing ${engine.identityRouting ? 'on' : 'off'} (router task, routed topic, state handover)`,
  );
  await publishLines(kafka, engine.topics, lines);
  lines = null;
  const timed = await engineRate(engine, events);
  const enginePerS = (timed.events / timed.ms) * 1000;
  const atMax = stats.take();
  const requestsAtMax = requests.take();
  say(`  engine: ${timed.events} events in ${timed.ms.toFixed(0)} ms = ${enginePerS.toFixed(0)} events/s`);
  say(`  steps: ${describeSteps(atMax)}`);
  say(`  produce-side requests: ${describeRequests(requestsAtMax, atMax.steps)}`);

  const out = `${prefix}bench.passthrough.out`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [withReplication(streamTopic(out, PARTITIONS, 3600000), REPLICATION)]);
  await admin.disconnect();
  const pass = await runPassthrough({
    kafka,
    inputTopics: engine.topics.inputs,
    outputTopic: out,
    groupId: `bench-passthrough-${run}`,
    expectedRecords: events,
    batch: { maxBytesPerPartition: MAX_BYTES_PER_PARTITION, partitionsConsumedConcurrently: 1 },
  });
  say(
    `  passthrough: ${pass.records} records in ${pass.durationMs.toFixed(0)} ms = ${pass.recordsPerSecond.toFixed(0)} records/s`,
  );

  // BENCH_LATENCY_RATE: a fixed offered rate instead (to see latency apart from load).
  const rate = Number(process.env.BENCH_LATENCY_RATE ?? Math.max(100, Math.floor(enginePerS / 2)));
  say(`  latency at ${rate} events/s offered (half the engine's maximum):`);
  stats.take();
  requests.take();
  const { p50, p99, sent, sentBytes } = await latencyAt(kafka, engine, rate);
  const atHalf = stats.take();
  const requestsAtHalf = requests.take();
  say(`  steps: ${describeSteps(atHalf)}`);
  say(`  produce-side requests: ${describeRequests(requestsAtHalf, atHalf.steps)}`);
  await engine.stop();
  // Peak RSS of the engine phases, taken before the floor holds every output in memory.
  const rssMb = process.resourceUsage().maxRSS / 1024;
  say(`  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, peak RSS ${rssMb.toFixed(0)} MB`);

  // Everything the engine wrote (the latency phase's outputs included; the floor is per input).
  const inputs = new Set([...engine.topics.inputs, out]);
  const listing = kafka.admin();
  await listing.connect();
  const outputTopics = (await listing.listTopics()).filter((t) => t.startsWith(prefix) && !inputs.has(t));
  await listing.disconnect();
  const options = {
    kafka,
    outputTopics,
    copyPrefix: 'floor.',
    partitions: PARTITIONS,
    inputs: events + sent,
    stepInputs: STEP_RECORDS,
    replication: REPLICATION,
  };
  const outputs = await readOutputs(kafka, options);
  const floor = FLOOR ? await runOutputFloor(options, outputs) : null;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  say(
    `  outputs: ${outputs.records} records, ${mb(outputs.bytes)} MB (` +
      [...outputs.bytesPerTopic]
        .sort((a, b) => b[1] - a[1])
        .map(([t, n]) => `${t.slice(prefix.length)} ${mb(n)}`)
        .join(', ') +
      ')' +
      (floor === null
        ? ''
        : `; produced again in ${floor.durationMs.toFixed(0)} ms = ${floor.inputsPerSecond.toFixed(0)} inputs/s`),
  );
  const inputBytes = eventBytes + sentBytes;
  const lineageBytes = outputs.bytesPerTopic.get(engine.topics.lineage) ?? 0;
  const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
  const inputCount = events + sent;
  say(
    JSON.stringify({
      bench: 'engine',
      events,
      identity_routing: engine.identityRouting,
      events_per_s: round(enginePerS, 0),
      passthrough_per_s: round(pass.recordsPerSecond, 0),
      ratio: round(enginePerS / pass.recordsPerSecond, 3),
      p50_ms: round(p50),
      p99_ms: round(p99),
      latency_rate_per_s: rate,
      rss_mb: round(rssMb, 0),
      policy_variant: policy.variant,
      input_bytes_per_input: round(inputBytes / inputCount, 0),
      lineage_bytes_per_input: round(lineageBytes / inputCount, 0),
      output_bytes_per_input: round(outputs.bytes / inputCount, 0),
      step_records: STEP_RECORDS,
      max_queued: MAX_QUEUED,
      steps_at_max: stepJson(atMax),
      steps_at_half: stepJson(atHalf),
      ...(floor === null
        ? {}
        : {
            output_floor_per_s: round(floor.inputsPerSecond, 0),
            floor_ratio: round(floor.inputsPerSecond / pass.recordsPerSecond, 3),
            engine_of_floor: round(enginePerS / floor.inputsPerSecond, 3),
          }),
    }),
  );
  await deleteRunTopics(kafka, [prefix, `floor.${prefix}`]);
}

function describeSteps(f: StepFigures): string {
  const router =
    f.routerSteps === 0
      ? ''
      : `; router ${f.routerSteps} steps, ${f.recordsPerRouterStep.toFixed(0)} records each on average`;
  return `${f.steps} steps, ${f.recordsPerStep.toFixed(0)} records each on average, p50 ${f.stepP50Ms.toFixed(0)} ms, p99 ${f.stepP99Ms.toFixed(0)} ms${router}`;
}

/** Per step: each API's count and mean duration, e.g. "EndTxn 1.0 × 12 ms". */
function describeRequests(r: RequestFigures, steps: number): string {
  return Object.entries(r)
    .map(([api, c]) => `${api} ${(c.count / Math.max(1, steps)).toFixed(1)} × ${c.meanMs.toFixed(0)} ms`)
    .join(', ');
}

function stepJson(f: StepFigures): Record<string, number> {
  const r = (x: number): number => Math.round(x);
  return {
    steps: f.steps,
    records: r(f.recordsPerStep),
    p50_ms: r(f.stepP50Ms),
    p99_ms: r(f.stepP99Ms),
    ...(f.routerSteps === 0
      ? {}
      : { router_steps: f.routerSteps, router_records: r(f.recordsPerRouterStep) }),
  };
}

/** A run writes about 1 GB over some twenty topics: remove them, so repeated runs do not fill the disk. */
async function deleteRunTopics(kafka: Kafka, prefixes: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Both routing settings, each in a child process; relays their output, then prints both figures. */
async function runBoth(): Promise<void> {
  const figures: Record<string, unknown>[] = [];
  for (const setting of ['false', 'auto']) {
    const child = fork(__filename, [], {
      env: { ...process.env, BENCH_IDENTITY_ROUTING: setting },
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`the run with identity routing ${setting} failed (exit ${code})`);
    const last = out.trim().split('\n').at(-1) ?? '';
    figures.push(JSON.parse(last) as Record<string, unknown>);
  }
  const [off, on] = figures;
  say(JSON.stringify({ bench: 'engine', routing_off: off, routing_on: on }));
}

(ROUTING_SETTING === undefined ? runBoth() : runOne()).catch((error: unknown) => {
  process.stderr.write(`engine bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
