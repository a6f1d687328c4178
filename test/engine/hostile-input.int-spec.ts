import { CONSENT_EVIDENCE_EVENT_TYPE } from '@app/contracts';
import { recordBytes } from '@app/kafka';
import { generateEventStream } from '@app/sample';
import {
  type DecisionCore,
  type DecisionCoreSupplier,
  governanceCore,
  PUBLIC_PSEUDONYM_KEY,
  startGovernedStream,
} from '@app/stream';
import { dryRun, POLICY_FILE, streamsUnderTest, uniquePrefix } from './support/engine-stream.kit';

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

  it('dead-letters an input whose lineage would exceed the record limit as output-too-large', async () => {
    const lines = LINES.slice(0, 1500);
    const events = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as { id: string; type: string; data: Record<string, unknown> }];
      } catch {
        return []; // the sample holds deliberately broken lines
      }
    });
    const base = events.find((e) => e.type !== CONSENT_EVIDENCE_EVENT_TYPE && typeof e.data === 'object');
    if (base === undefined) throw new Error('no source event in the sample');
    // Undeclared keys are withheld and the first 32 named in the lineage (then counted), once per
    // event: long names make a lineage record several times larger than any ordinary output.
    for (let k = 0; k < 40; k++) base.data[`undeclared_${String(k).padStart(3, '0')}_${'x'.repeat(110)}`] = k;
    const big = JSON.stringify({ ...base, id: `${base.id}-wide` });
    const at = 700;
    const input = [...lines.slice(0, at), big, ...lines.slice(at)];
    const limit = 4_000;
    // The limit sits between the largest ordinary output and the wide event's lineage.
    const expected = dryRun(lines, {
      destinations: new Map(),
      suppressions: new Map(),
      lineage: 'l',
    } as never);
    const largest = Math.max(
      ...expected.lineage.map((l) => recordBytes({ topic: 'l', key: null, value: l })),
    );
    expect(largest).toBeLessThan(limit - 1_500);
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

  it('refuses to start with the public default pseudonym key outside demo mode', async () => {
    const started = startGovernedStream({
      kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'key-test' },
      policyFile: POLICY_FILE,
      pseudonymKey: PUBLIC_PSEUDONYM_KEY,
      groupId: 'key-test',
      topicPrefix: uniquePrefix('key'),
      partitions: 1,
      maxStepRecords: 10,
      maxQueuedPerPartition: 10,
      createTopics: true,
    });
    await expect(started).rejects.toThrow(/^GOVERN_PSEUDONYM_KEY is unset, empty or the public default/);
    await expect(started).rejects.not.toThrow(PUBLIC_PSEUDONYM_KEY);
  });
});
