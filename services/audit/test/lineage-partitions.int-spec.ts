import { LineagePartitions, LineageStoreWriter, PolicyCache } from '@app/audit-store';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { deadLetterRows } from './support/dead-letters';

const TOPIC = 'governance.lineage';
/** A dead-letter lineage record at `time`, at the next offset. */
const rowAt = deadLetterRows(TOPIC);

// Monthly partitions: created ahead and on demand, rows moved out of DEFAULT when their month gets
// a partition, and dropped (or deleted) after the retention.
describe('lineage partitions', () => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await provideMigratedStore();
  });
  afterAll(async () => store?.close());

  const where = async (): Promise<Record<string, string>> => {
    const { rows } = await store.pool.query<{ event_id: string; part: string }>(
      `select event_id, tableoid::regclass::text as part from audit_lineage order by event_id`,
    );
    return Object.fromEntries(rows.map((r) => [r.event_id, r.part]));
  };

  it('creates months ahead and on demand, moves rows out of DEFAULT, drops what is past the retention', async () => {
    const partitions = new LineagePartitions(store.pool, { monthsAhead: 2 });
    const writer = new LineageStoreWriter(store.pool, new PolicyCache());
    const now = new Date('2026-12-05T12:00:00Z');
    const made = await partitions.maintain(now, 400);
    expect(made.created).toEqual([
      'audit_lineage_y2026m12',
      'audit_lineage_y2027m01',
      'audit_lineage_y2027m02',
    ]);

    // June 2026 arrives before its partition exists: it lands in DEFAULT, then moves.
    const june = rowAt('2026-06-10T10:00:00Z');
    await writer.write({ topic: TOPIC, partition: 0, rows: [june], versions: [], nextOffset: 1n });
    expect((await where())['e-2026-06-10T10:00:00Z']).toBe('audit_lineage_default');
    const rows = [
      rowAt('2025-09-15T00:00:00Z'), // older than the retention: DEFAULT, then deleted
      rowAt('2025-11-10T00:00:00Z'), // within it: its month is made on demand
      rowAt('2026-12-01T00:00:00Z'),
      rowAt('2030-01-01T00:00:00Z'), // beyond the months ahead: DEFAULT, kept
    ];
    await partitions.ensureFor([june.time, ...rows.map((r) => r.time)], now, 400);
    await writer.write({ topic: TOPIC, partition: 0, rows, versions: [], nextOffset: 5n });
    expect(await where()).toEqual({
      'e-2025-09-15T00:00:00Z': 'audit_lineage_default',
      'e-2025-11-10T00:00:00Z': 'audit_lineage_y2025m11',
      'e-2026-06-10T10:00:00Z': 'audit_lineage_y2026m06',
      'e-2026-12-01T00:00:00Z': 'audit_lineage_y2026m12',
      'e-2030-01-01T00:00:00Z': 'audit_lineage_default',
    });

    // Some weeks later the retention passes November 2025 entirely.
    const later = await partitions.maintain(new Date('2027-01-15T00:00:00Z'), 400);
    expect(later.dropped).toEqual(['audit_lineage_y2025m11']);
    expect(later.created).toEqual(['audit_lineage_y2027m03']);
    expect(later.deleted).toBe(1);
    expect(Object.keys(await where())).toEqual([
      'e-2026-06-10T10:00:00Z',
      'e-2026-12-01T00:00:00Z',
      'e-2030-01-01T00:00:00Z',
    ]);
    expect(await partitions.list()).toEqual([
      'audit_lineage_y2026m06',
      'audit_lineage_y2026m12',
      'audit_lineage_y2027m01',
      'audit_lineage_y2027m02',
      'audit_lineage_y2027m03',
    ]);
    // Each partition got the parent's indexes.
    const { rows: indexes } = await store.pool.query<{ n: string }>(
      `select count(*)::text as n from pg_indexes where schemaname = current_schema() and tablename = 'audit_lineage_y2026m06'`,
    );
    expect(Number(indexes[0]?.n)).toBe(10);
  });

  it('keeps everything when the retention is for ever (null): no month dropped, no row deleted', async () => {
    const partitions = new LineagePartitions(store.pool, { monthsAhead: 2 });
    const before = await where();
    const months = await partitions.list();
    const kept = await partitions.maintain(new Date('2040-01-15T00:00:00Z'), null);
    expect(kept.dropped).toEqual([]);
    expect(kept.deleted).toBe(0);
    expect(await where()).toEqual(before);
    expect(await partitions.list()).toEqual(expect.arrayContaining(months));
    // An old month gets its partition on demand: there is no cutoff to keep it in DEFAULT.
    await partitions.ensureFor([new Date('2001-03-04T00:00:00Z')], new Date('2040-01-15T00:00:00Z'), null);
    expect(await partitions.list()).toContain('audit_lineage_y2001m03');
  });
});
