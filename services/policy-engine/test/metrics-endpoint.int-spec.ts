import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CONSENT_EVIDENCE_EVENT_TYPE, type LineageRecord } from '@app/contracts';
import { loadConfig } from '@app/service-kit';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { engineTopics } from '@app/stream';
import { loadPolicy } from '@app/policy';
import { PolicyEngineModule } from '../src/policy-engine.module';
import { PolicyEngineSettings } from '../src/policy-engine.settings';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS_ENV,
  produceLines,
  readEngineOutput,
  renderedDecisions,
  routeLine,
  testKafka,
  uniquePrefix,
} from '../../../test/engine/support/engine-stream.kit';

/** One sample of the Prometheus text: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[l[1] as string] = l[2] as string;
      return { name: m[1] as string, labels, value: Number(m[3]) };
    });
}

/** Sums of one metric's samples, by the joined values of the given labels. */
function byLabels(samples: Sample[], name: string, labels: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples.filter((x) => x.name === name)) {
    const k = labels.map((l) => s.labels[l]).join('/');
    out.set(k, (out.get(k) ?? 0) + s.value);
  }
  return out;
}

const increment = (m: Map<string, number>, k: string, n = 1): void => {
  m.set(k, (m.get(k) ?? 0) + n);
};

/** Every string of a JSON value, recursively (the values a label must never carry). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

// The engine's bad-input corpus: one copy, kept with the engine tests that replay it too.
const BAD_INPUTS = join(__dirname, '..', '..', '..', 'test', 'engine', 'bad-inputs');
const corpusFiles = readdirSync(BAD_INPUTS)
  .filter((f) => f.endsWith('.event'))
  .sort();
const corpus = corpusFiles.map((f) => readFileSync(join(BAD_INPUTS, f), 'utf8'));
/** The dead-letter codes the corpus covers (a file name starts with its code). */
const corpusCodes = [...new Set(corpusFiles.map((f) => f.split('.')[0] as string))].sort();

// GET /metrics of a running engine (the Nest app, over HTTP) after a small run on the real broker.
describe('the policy engine’s /metrics endpoint', () => {
  const prefix = uniquePrefix('metrics');
  const lines = [...generateEventStream({ seed: 5, customers: 12 }), ...corpus];
  const topics = engineTopics(
    loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: 'example.yaml' }),
    prefix,
  );
  const expected = dryRun(lines, topics);
  let broker: KafkaUnderTest;
  let app: INestApplication;
  let samples: Sample[];

  beforeAll(async () => {
    broker = await provideKafka();
    const settings = loadConfig(PolicyEngineSettings, {
      KAFKA_BROKERS: broker.brokers.join(','),
      POLICY_FILE,
      ...PSEUDONYM_KEYS_ENV,
      ENGINE_TOPIC_PREFIX: prefix,
      // A group of its own: engines of other runs in a shared group would split the tasks with it.
      ENGINE_GROUP_ID: `engine-${randomUUID().slice(0, 8)}`,
      ENGINE_PARTITIONS: '1',
      ENGINE_MAX_STEP_RECORDS: '100',
    });
    const ref = await Test.createTestingModule({
      imports: [PolicyEngineModule.forSettings(settings)],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();

    const kafka = testKafka(broker.brokers);
    await produceLines(kafka, topics, lines);
    await readEngineOutput(kafka, topics, expected);
    // The counters move once a step's commit returns, just after its outputs became visible:
    // read until every input is counted (bounded by the test timeout, no assertion on time).
    for (;;) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      samples = parseSamples(await res.text());
      const counted = [...byLabels(samples, 'engine_events_in_total', []).values()][0] ?? 0;
      if (counted >= lines.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await app?.close();
    await broker?.stop();
  });

  it('counts the events in per input topic', () => {
    const perTopic = new Map<string, number>();
    for (const line of lines) increment(perTopic, routeLine(line, topics).topic);

    expect(byLabels(samples, 'engine_events_in_total', ['topic'])).toEqual(perTopic);
  });

  it('counts forwarded decisions per destination as the dry-run decides them', () => {
    const forwarded = new Map<string, number>();
    for (const d of renderedDecisions(expected.lineage.map((x) => JSON.parse(x) as LineageRecord)))
      if (d.outcome !== 'withheld') increment(forwarded, d.destination);

    expect([...forwarded.values()].every((n) => n > 0)).toBe(true);
    expect(byLabels(samples, 'engine_forwarded_total', ['destination'])).toEqual(forwarded);
  });

  it('counts withheld attributes per destination and reason as the dry-run decides them', () => {
    const withheld = new Map<string, number>();
    for (const d of renderedDecisions(expected.lineage.map((x) => JSON.parse(x) as LineageRecord)))
      for (const a of d.attributes)
        if (a.outcome === 'withhold') increment(withheld, `${d.destination}/${a.reason}`);

    expect(withheld.size).toBeGreaterThan(1);
    expect(byLabels(samples, 'engine_withheld_attributes_total', ['destination', 'reason'])).toEqual(
      withheld,
    );
  });

  it('counts dead letters per code, one for each bad input', () => {
    // Every code of the corpus occurs (the generated stream's own bad lines add no other code).
    expect([...expected.deadLetters.keys()].sort()).toEqual(corpusCodes);
    expect(byLabels(samples, 'engine_dead_lettered_total', ['code'])).toEqual(expected.deadLetters);
  });

  it('counts suppressions per destination', () => {
    const suppressions = new Map<string, number>();
    for (const [destination, topic] of topics.destinations) {
      const n = (expected.perTopic.get(topic) ?? []).filter((r) =>
        r.includes('"record-kind":"suppression"'),
      ).length;
      if (n > 0) suppressions.set(destination, n);
    }

    expect(suppressions.size).toBeGreaterThan(0);
    expect(byLabels(samples, 'engine_suppressions_total', ['destination'])).toEqual(suppressions);
  });

  it('labels engine metrics only with topic, destination, reason, code and error-type names', () => {
    const names = new Set<string>([
      ...topics.inputs,
      ...topics.destinations.keys(),
      ...expected.deadLetters.keys(),
      '0',
    ]);
    for (const d of renderedDecisions(expected.lineage.map((x) => JSON.parse(x) as LineageRecord)))
      for (const a of d.attributes) names.add(a.reason);
    const engineLabels = samples
      .filter((s) => s.name.startsWith('engine_'))
      .flatMap((s) => Object.entries(s.labels).filter(([k]) => k !== 'le'));
    // A transient broker error during the run (a retried step) is counted by its error type only,
    // e.g. `KafkaJSProtocolError:NOT_LEADER_FOR_PARTITION`: a class and code name, never a message.
    const errorTypes = engineLabels.filter(([k]) => k === 'error').map(([, v]) => v);
    const others = engineLabels.filter(([k]) => k !== 'error').map(([, v]) => v);

    expect(others.filter((v) => !names.has(v))).toEqual([]);
    expect(errorTypes.filter((v) => !/^[A-Za-z]+(:[A-Z_]+)?$/.test(v))).toEqual([]);
  });

  it('carries no subject key, e-mail address or source-event payload value in any label', () => {
    const subjects = new Set<string>();
    const payloadValues = new Set<string>();
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as { subject?: unknown; type?: unknown; data?: unknown };
        if (typeof e.subject === 'string') subjects.add(e.subject);
        // Consent evidence data is protocol vocabulary (e.g. "objection"); source data is personal.
        if (e.type !== CONSENT_EVIDENCE_EVENT_TYPE) for (const v of strings(e.data)) payloadValues.add(v);
      } catch {
        // not JSON: no values to look for
      }
    }
    const labelValues = new Set(samples.flatMap((s) => Object.values(s.labels)));

    expect(subjects.size).toBeGreaterThan(0);
    expect(payloadValues.size).toBeGreaterThan(0);
    expect([...labelValues].filter((v) => [...subjects].some((s) => v.includes(s)))).toEqual([]);
    expect([...labelValues].filter((v) => /[^\s@]+@[^\s@]+\.[a-z]{2,}/i.test(v))).toEqual([]);
    expect([...labelValues].filter((v) => payloadValues.has(v))).toEqual([]);
  });
});
