/**
 * `npm run bench:audit [-- --records N]`: the lineage sink's rate against the engine's lineage rate,
 * in one run. The real engine decides a generated stream (the engine's generator, as bench:engine
 * and the main job use it) until it has written at least N lineage records (default 1,000,000);
 * its lineage rate is the records it wrote over the time it took. Then the sink starts on the full
 * lineage topic, as after an outage, and stores it into a fresh PostgreSQL schema; its rate is the
 * records stored over the time from its start. On the loaded store it measures the p95 latency of
 * the subject timeline and of explain (the records of an event id), and the cost of rendering a
 * decision for the figures. Prints one JSON line at the end.
 *
 * KAFKA_BROKERS (and the other Kafka settings), DATABASE_URL (default the local server's `test`
 * database), BENCH_PARTITIONS (default 3), BENCH_KEEP_SCHEMA=true keeps the schema,
 * BENCH_KEEP_TOPICS=true keeps the run's topics (to measure the sink again on the same lineage).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type DecisionLineageRecord } from '@app/contracts';
import { createAuditPool, LineageQueries, LineageSink } from '@app/audit-store';
import { decisionFacts } from '@app/audit-store/sink/decision-facts';
import { createKafkaClient } from '@app/kafka';
import { createDataSource } from '@app/persistence';
import { loadPolicy, replayLines, DEMO_PSEUDONYM_KEYRING } from '@app/policy';
import { generateEventStream, publishLines } from '@app/sample';
import { kafkaClientSettings, kafkaSettingsFromEnv } from '@app/service-kit/config/kafka-client-settings';
import { startGovernedStream, type GovernedStream } from '@app/stream';
import { policyWithoutIdentifiers } from './routing-off-policy';

const SETTINGS = kafkaSettingsFromEnv(process.env);
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RECORDS = Number(arg('--records') ?? process.env.BENCH_RECORDS ?? '1000000');
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? '3');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POLICY_FILE = 'policies/example.yaml';
const QUERIES = 300;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** The run's policy file: the example without declared identifiers when routing is off on several partitions. */
function benchPolicy(): string {
  const text = readFileSync(POLICY_FILE, 'utf8');
  if (PARTITIONS <= 1) return POLICY_FILE;
  const file = join(mkdtempSync(join(tmpdir(), 'bench-audit-')), 'example-without-identifiers.yaml');
  writeFileSync(file, policyWithoutIdentifiers(text).text);
  return file;
}

/** Customers the generator needs for `records` lineage records, from a small sample's ratio. */
function customersFor(records: number, policyFile: string): number {
  const policy = loadPolicy(readFileSync(policyFile, 'utf8'));
  const sample = generateEventStream({ seed: 3, customers: 500 });
  const { results } = replayLines(policy, `${sample.join('\n')}\n`, {
    pseudonymKeys: DEMO_PSEUDONYM_KEYRING,
  });
  const lineage = results.reduce((n, r) => n + r.result.lineage.length, 0);
  return Math.ceil((records / (lineage / 500)) * 1.03);
}

async function eventsIn(engine: GovernedStream): Promise<number> {
  const metric = await engine.metrics.registry.getSingleMetric('engine_events_in_total')?.get();
  return metric?.values.reduce((n, v) => n + v.value, 0) ?? 0;
}

/** Time from the engine's first commit seen to the last input committed. */
async function engineTime(engine: GovernedStream, events: number): Promise<number> {
  let first = 0;
  for (;;) {
    const n = await eventsIn(engine);
    if (n > 0 && first === 0) first = performance.now();
    if (n >= events) return performance.now() - first;
    await sleep(20);
  }
}

function p95(ms: number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const prefix = `bench-audit-${run}.`;
  const schema = `bench_audit_${run}`;
  const policyFile = benchPolicy();
  const customers = customersFor(RECORDS, policyFile);
  let lines: string[] | null = generateEventStream({ seed: 1, customers });
  const events = lines.length;
  say(`audit bench: ${events} generated events (${customers} customers) for >= ${RECORDS} lineage records`);

  const client = kafkaClientSettings(SETTINGS, { clientId: 'bench-audit' });
  const engine = await startGovernedStream({
    kafka: client,
    policyFile,
    // A measurement run on generated data: the public demo keyring is acceptable only here.
    demoMode: true,
    groupId: `bench-audit-${run}`,
    topicPrefix: prefix,
    partitions: PARTITIONS,
    identityRouting: false,
    maxStepRecords: 2000,
    maxQueuedPerPartition: 10000,
    createTopics: true,
  });
  const kafka = createKafkaClient(client);
  const timing = engineTime(engine, events);
  await publishLines(kafka, engine.topics, lines);
  lines = null;
  const engineMs = await timing;
  await engine.stop();
  say(`  engine: ${events} events in ${(engineMs / 1000).toFixed(1)} s`);

  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const dataSource = createDataSource({ url: DATABASE_URL, schema });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  const pool = createAuditPool({ url: DATABASE_URL, schema, max: 8 });
  try {
    const kadmin = kafka.admin();
    await kadmin.connect();
    const ends = await kadmin.fetchTopicOffsets(engine.topics.lineage);
    await kadmin.disconnect();
    const sink = new LineageSink({
      kafka: { ...client, clientId: 'bench-audit-sink' },
      pool,
      groupId: `bench-audit-sink-${run}`,
      topicPrefix: prefix,
      retentionDays: 36500,
      log: (message, fields) =>
        process.stderr.write(
          `  sink: ${message} ${Object.entries(fields ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')}\n`,
        ),
    });
    const started = performance.now();
    await sink.start();
    const caughtUp = async (): Promise<boolean> => {
      const { rows } = await pool.query<{ partition: number; next_offset: string }>(
        `select partition, next_offset::text as next_offset from audit_sink_offset where topic = $1`,
        [engine.topics.lineage],
      );
      return ends.every(
        (e) =>
          BigInt(e.high) === 0n ||
          rows.some((r) => r.partition === e.partition && BigInt(r.next_offset) >= BigInt(e.high) - 1n),
      );
    };
    let firstRow = 0;
    while (!(await caughtUp())) {
      if (firstRow === 0) {
        const any = await pool.query(`select 1 from audit_lineage limit 1`);
        if (any.rowCount) firstRow = performance.now() - started;
      }
      await sleep(200);
    }
    const sinkMs = performance.now() - started;
    const batches = (await sink.metrics.batches.get()).values;
    const batchCount = batches.find((v) => v.metricName === 'audit_sink_batch_seconds_count')?.value ?? 0;
    const writeS = batches.find((v) => v.metricName === 'audit_sink_batch_seconds_sum')?.value ?? 0;
    say(
      `  sink: first row after ${(firstRow / 1000).toFixed(1)} s; ${batchCount} batches, ${writeS.toFixed(1)} s writing (PostgreSQL transactions)`,
    );
    await sink.stop();
    const records = Number(
      (await pool.query<{ n: string }>(`select count(*)::text as n from audit_lineage`)).rows[0]?.n ?? 0,
    );
    const sinkPerS = (records / sinkMs) * 1000;
    const enginePerS = (records / engineMs) * 1000;
    say(`  sink: ${records} records in ${(sinkMs / 1000).toFixed(1)} s = ${sinkPerS.toFixed(0)} records/s`);
    say(`  engine lineage: ${enginePerS.toFixed(0)} records/s`);
    await pool.query('analyze audit_lineage');

    // Queries on the loaded store: random subjects' timelines, random events' records.
    const q = new LineageQueries(pool);
    const subjects = (
      await pool.query<{ subject: string }>(
        `select subject from audit_lineage tablesample system (1) where subject is not null limit ${QUERIES}`,
      )
    ).rows.map((r) => r.subject);
    const eventIds = (
      await pool.query<{ event_id: string }>(
        `select event_id from audit_lineage tablesample system (1) where event_id is not null limit ${QUERIES}`,
      )
    ).rows.map((r) => r.event_id);
    const timelineMs: number[] = [];
    for (const s of subjects) {
      const t = performance.now();
      await q.subjectTimeline({ subjects: [s], limit: 100 });
      timelineMs.push(performance.now() - t);
    }
    const explainMs: number[] = [];
    for (const e of eventIds) {
      const t = performance.now();
      await q.recordsForEvent(e);
      explainMs.push(performance.now() - t);
    }
    say(
      `  queries: timeline p95 ${p95(timelineMs).toFixed(1)} ms (${timelineMs.length}), explain p95 ${p95(explainMs).toFixed(1)} ms (${explainMs.length})`,
    );

    // What rendering a decision (for the figures and the recall) costs the sink, per decision.
    const decisions = (
      await pool.query<{ record: DecisionLineageRecord }>(
        `select record from audit_lineage where kind = 'decision' limit 50000`,
      )
    ).rows.map((r) => r.record);
    const policy = loadPolicy(readFileSync(policyFile, 'utf8'));
    const t = performance.now();
    for (const d of decisions) decisionFacts(policy, d);
    const renderUs = decisions.length === 0 ? 0 : ((performance.now() - t) * 1000) / decisions.length;
    say(`  rendering a decision for the figures: ${renderUs.toFixed(1)} µs`);

    say(
      JSON.stringify({
        bench: 'audit',
        records,
        records_per_s: round(sinkPerS, 0),
        engine_records_per_s: round(enginePerS, 0),
        ratio: round(sinkPerS / enginePerS, 2),
        query_p95_ms: round(Math.max(p95(timelineMs), p95(explainMs)), 1),
        timeline_p95_ms: round(p95(timelineMs), 1),
        explain_p95_ms: round(p95(explainMs), 1),
        render_us_per_decision: round(renderUs, 1),
        events,
        partitions: PARTITIONS,
      }),
    );
  } finally {
    await pool.end();
    if (process.env.BENCH_KEEP_SCHEMA !== 'true') await admin.query(`drop schema "${schema}" cascade`);
    await admin.end();
    const cleanup = kafka.admin();
    await cleanup.connect();
    if (process.env.BENCH_KEEP_TOPICS === 'true') say(`  topics kept under the prefix ${prefix}`);
    else {
      const topics = (await cleanup.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length > 0) await cleanup.deleteTopics({ topics });
    }
    await cleanup.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`audit bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
