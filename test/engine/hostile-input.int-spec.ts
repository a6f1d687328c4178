import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { recordBytes } from '@app/kafka';
import { DEMO_PSEUDONYM_KEYRING, loadPolicy, replayLines } from '@app/policy';
import { generateEventStream } from '@app/sample';
import {
  type DecisionCore,
  type DecisionCoreSupplier,
  governanceCore,
  startGovernedStream,
} from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS,
  streamsUnderTest,
  uniquePrefix,
} from './support/engine-stream.kit';

/** About 10,000 generated events (seed 11). */
const LINES = generateEventStream({ seed: 11, customers: 2500 });

/** Index of a line in the middle whose event id occurs in no other line, and that id. */
function uniqueLine(lines: readonly string[]): { index: number; id: string } {
  for (let i = Math.floor(lines.length / 2); i < lines.length; i++) {
    let id: unknown;
    try {
      id = (JSON.parse(lines[i] as string) as { id?: unknown }).id;
    } catch {
      continue; // the sample holds deliberately broken lines
    }
    if (typeof id !== 'string') continue;
    const needle = `"id":"${id}"`;
    if (lines.filter((l) => l.includes(needle)).length === 1) return { index: i, id };
  }
  throw new Error('no line with a unique id');
}

/** Every string member of a payload, at the top and one level down, made `length` characters long. */
function widen(data: Record<string, unknown>, length: number): Record<string, unknown> {
  const wide = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.padEnd(length, 'w')
      : typeof v === 'object' && v !== null && !Array.isArray(v)
        ? widen(v as Record<string, unknown>, length)
        : v;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, wide(v)]));
}

/**
 * A copy (new id) of the first source event in `lines` whose governed record, decided right after
 * `lines`, exceeds `limit` bytes once its string members are long: found with the decision core, so
 * the case does not depend on which events of the sample happen to be forwarded.
 */
function wideEvent(lines: readonly string[], limit: number): string {
  const policy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'), { fileName: basename(POLICY_FILE) });
  for (const line of lines) {
    let event: { id: string; type: string; data: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue; // the sample holds deliberately broken lines
    }
    if (event.type === CONSENT_EVIDENCE_EVENT_TYPE || typeof event.data !== 'object' || event.data === null)
      continue;
    const big = JSON.stringify({
      ...event,
      id: `${event.id}-wide`,
      data: widen(event.data as Record<string, unknown>, 2 * limit),
    });
    const { results } = replayLines(policy, `${[...lines, big].join('\n')}\n`, {
      pseudonymKeys: PSEUDONYM_KEYS,
    });
    const last = results[results.length - 1]?.result;
    if (last?.records.some((r) => JSON.stringify(r.value).length > limit)) return big;
  }
  throw new Error('no source event in the sample is forwarded with a string member');
}

/** The real core, except that `process` throws for one event id while `fail()` says so. */
function failingFor(id: string, fail: () => boolean): DecisionCoreSupplier {
  const needle = Buffer.from(`"id":"${id}"`);
  const hits = (input: string | Uint8Array | object): boolean =>
    input instanceof Uint8Array &&
    Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes(needle) &&
    (JSON.parse(Buffer.from(input).toString('utf8')) as { id?: unknown }).id === id;
  return (policy, options): DecisionCore => {
    const core = governanceCore(policy, options);
    return {
      process: (input, context) => {
        if (hits(input) && fail()) throw new RangeError(`poisoned ${id}`);
        return core.process(input, context);
      },
      processBinary: (headers, value, context) => core.processBinary(headers, value, context),
      exportState: (key) => core.exportState(key),
      importState: (key, state) => core.importState(key, state),
    };
  };
}

describe('the governed stream under hostile input', () => {
  const streams = streamsUnderTest();
  jest.setTimeout(300_000);

  it('dead-letters a record the core always fails on as internal-error; everything else equals dry-run', async () => {
    const poison = uniqueLine(LINES);
    const { deadLetters, engine } = await streams.expectEqualsDryRun({
      name: 'poison',
      partitions: 1,
      identityRouting: false,
      lines: LINES,
      engine: {
        decisionCore: failingFor(poison.id, () => true),
        claimBackoff: { initialMs: 50, maxMs: 200 },
      },
      engineDeadLetters: new Map([[poison.index, 'internal-error']]),
    });
    const internal = deadLetters.filter((d) => d.headers['dlq.error.code'] === 'internal-error');
    expect(internal).toHaveLength(1);
    const dl = internal[0];
    expect(dl?.value).toBe(LINES[poison.index]);
    expect(dl?.headers['dlq.source.offset']).toMatch(/^\d+$/);
    expect(engine.topics.inputs).toContain(dl?.headers['dlq.source.topic']);
    // The error's name only: its message (which quotes the event id here) never leaves the engine.
    expect(dl?.headers['dlq.error.reason']).toContain('RangeError');
    expect(dl?.headers['dlq.error.reason']).not.toContain(poison.id);
    const metrics = await engine.metrics.registry.getSingleMetricAsString('engine_dead_lettered_total');
    expect(metrics).toContain('code="internal-error"} 1');
  });

  it('retries a record the core fails on once, with no dead letter and output equal to dry-run', async () => {
    const flaky = uniqueLine(LINES);
    let failures = 0;
    await streams.expectEqualsDryRun({
      name: 'transient',
      partitions: 1,
      identityRouting: false,
      lines: LINES.slice(0, 4000).concat(flaky.index >= 4000 ? [LINES[flaky.index] as string] : []),
      engine: { decisionCore: failingFor(flaky.id, () => failures++ === 0) },
    });
    expect(failures).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters an input whose output would exceed the record limit as output-too-large', async () => {
    const lines = LINES.slice(0, 1500);
    const at = 700;
    const limit = 4_000;
    // The limit sits between the largest ordinary output and the wide event's governed record.
    const expected = dryRun(lines, {
      destinations: new Map(),
      suppressions: new Map(),
      aggregates: new Map(),
      lineage: 'l',
    } as never);
    const largest = Math.max(
      ...expected.lineage.map((l) => recordBytes({ topic: 'l', key: null, value: l })),
    );
    expect(largest).toBeLessThan(limit - 1_500);
    const big = wideEvent(lines.slice(0, at), limit);
    const input = [...lines.slice(0, at), big, ...lines.slice(at)];
    await streams
      .expectEqualsDryRun({
        name: 'too-large',
        partitions: 1,
        identityRouting: false,
        lines: input,
        engine: { maxRecordBytes: limit },
        engineDeadLetters: new Map([[at, 'output-too-large']]),
      })
      .then(({ deadLetters }) => {
        const dl = deadLetters.find((d) => d.headers['dlq.error.code'] === 'output-too-large');
        expect(dl?.value).toBe(big);
        expect(dl?.headers['dlq.error.reason']).toMatch(new RegExp(`over the ${limit}-byte limit`));
      });
  });

  it('refuses to start with the public demo keyring outside demo mode', async () => {
    const started = startGovernedStream({
      kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'key-test' },
      policyFile: POLICY_FILE,
      pseudonymKeys: DEMO_PSEUDONYM_KEYRING,
      groupId: 'key-test',
      topicPrefix: uniquePrefix('key'),
      partitions: 1,
      maxStepRecords: 10,
      maxQueuedPerPartition: 10,
      createTopics: true,
    });
    await expect(started).rejects.toThrow(/^GOVERN_PSEUDONYM_KEYS \(value not shown\): /);
    await expect(started).rejects.toThrow(/holds the public demo key/);
    await expect(started).rejects.not.toThrow('govern-dry-run');
  });
});
