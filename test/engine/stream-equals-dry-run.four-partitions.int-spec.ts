import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTopicToEnd } from '@app/kafka';
import { policyWithMinimumCount, streamsUnderTest } from './support/engine-stream.kit';

// Identity links join subjects in different partitions: with identity routing (the router stage and
// the state handover between tasks), 4 tasks still write exactly what one dry-run processor does.
describe('with 4 partitions and identity routing, the governed stream equals govern dry-run', () => {
  const streams = streamsUnderTest();
  const dir = mkdtempSync(join(tmpdir(), 'equal4-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, record for record, the destination records, lineage and dead letters dry-run computes', async () => {
    // k = 2 so the sample's opens and clicks reach figures; the tasks count them by key (R23).
    const policyFile = policyWithMinimumCount(dir, 2);
    const run = await streams.expectEqualsDryRun({
      name: 'equal4',
      partitions: 4,
      identityRouting: true,
      engine: { policyFile },
    });
    expect(run.aggregateFigures).toBeGreaterThan(0);
    const engine = run.engine;
    // Relinks (a cookie on a shared device linked to a second customer) moved whole home groups:
    // the first customer went along with its cookie.
    let handovers = 0;
    let groupMoves = 0;
    await readTopicToEnd(run.kafka, {
      topic: engine.topics.handover,
      onBatch: ({ messages }) => {
        handovers += messages.length;
        for (const m of messages) {
          const { states } = JSON.parse(m.value?.toString('utf8') ?? '{}') as { states?: unknown[] };
          if ((states?.length ?? 0) > 1) groupMoves++;
        }
      },
    });
    expect(handovers).toBeGreaterThan(10);
    expect(groupMoves).toBeGreaterThan(0);
    // The router's metrics: every input routed, the handovers counted, raw-input lag drained.
    const registry = engine.metrics.registry;
    const total = async (name: string): Promise<number> =>
      ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);
    expect(await total('engine_routed_total')).toBe(run.lines.length);
    expect(await total('engine_handovers_total')).toBeGreaterThan(10);
    const inputs = engine.topics.inputs;
    const lag = (await registry.getSingleMetric('engine_consumer_lag')?.get())?.values ?? [];
    const rawLag = lag.filter((v) => inputs.includes(String(v.labels.topic)));
    expect(rawLag.length).toBeGreaterThan(0);
    expect(rawLag.every((v) => v.value === 0)).toBe(true);
  });
});
