import { type LineageRecord } from '@app/contracts';
import { LineageStoreWriter, lineageRow, PolicyCache } from '@app/audit-store';
import { figuresFromDryRun, replayLines } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { PSEUDONYM_KEYS } from '../../../test/engine/support/engine-stream.kit';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { examplePolicy } from './support/lineage-expectations';

const LINEAGE = 'governance.lineage';
const VERSIONS = 'governance.policy-versions';

// Decisions can reach the store before the text of their policy version (it has its own topic):
// they are stored, and their figures are added when the version arrives, exactly once.
describe('decisions stored before their policy version', () => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await provideMigratedStore();
  });
  afterAll(async () => store?.close());

  const figures = async (): Promise<Record<string, number>> => {
    const { rows } = await store.pool.query<{
      metric: string;
      destination: string;
      reason: string;
      n: string;
    }>(
      `select metric, destination, reason, sum(count)::text as n from audit_daily_stat
        where metric in ('forwarded', 'withheld', 'unrenderable') group by 1, 2, 3`,
    );
    return Object.fromEntries(
      rows
        .map((r) => {
          const key =
            r.metric === 'forwarded'
              ? `forwarded ${r.destination}`
              : r.metric === 'withheld'
                ? `withheld ${r.destination} ${r.reason}`
                : 'unrenderable';
          return [key, Number(r.n)] as const;
        })
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  };

  it('stores them pending, renders them once when the version arrives, and counts one that does not render', async () => {
    const { policy, text } = examplePolicy();
    const lines = generateEventStream({ seed: 9, customers: 25 });
    const { results } = replayLines(policy, `${lines.join('\n')}\n`, { pseudonymKeys: PSEUDONYM_KEYS });
    const lineage: LineageRecord[] = results.flatMap((r) => r.result.lineage);
    const decisions = lineage.filter((l) => l.kind === 'decision');
    const broken = { ...decisions[0], eventId: 'broken-1', destinations: { 'no-such-tool': { f: [0] } } };
    const rows = [...lineage, broken].map((l, i) =>
      lineageRow({ topic: LINEAGE, partition: 0, offset: String(i) }, '0', Buffer.from(JSON.stringify(l))),
    );
    const writer = new LineageStoreWriter(store.pool, new PolicyCache());
    const first = await writer.write({
      topic: LINEAGE,
      partition: 0,
      rows,
      versions: [],
      nextOffset: BigInt(rows.length),
    });
    expect(first.pending).toBe(decisions.length + 1);
    expect(await figures()).toEqual({});

    const stored = await writer.write({
      topic: VERSIONS,
      partition: 0,
      rows: [],
      versions: [{ version: policy.version, text, firstSeenAt: new Date('2025-01-01T00:00:00Z') }],
      nextOffset: 1n,
    });
    expect(stored.versionsStored).toBe(1);
    const want = Object.fromEntries(
      [
        ...figuresFromDryRun(
          policy,
          results.map((r) => r.result),
        ),
      ]
        .filter(([k]) => k.startsWith('forwarded') || k.startsWith('withheld'))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    expect(await figures()).toEqual({ ...want, unrenderable: 1 });
    const pending = await store.pool.query(`select 1 from audit_lineage where stats_pending`);
    expect(pending.rowCount).toBe(0);

    // Nothing is left to render, and nothing is counted twice (a second sink, a replayed version).
    expect(await writer.resolvePending()).toBe(0);
    await writer.write({
      topic: VERSIONS,
      partition: 0,
      rows: [],
      versions: [{ version: policy.version, text, firstSeenAt: new Date('2025-01-01T00:00:00Z') }],
      nextOffset: 1n,
    });
    await writer.write({ topic: LINEAGE, partition: 0, rows, versions: [], nextOffset: BigInt(rows.length) });
    expect(await figures()).toEqual({ ...want, unrenderable: 1 });
  });
});
