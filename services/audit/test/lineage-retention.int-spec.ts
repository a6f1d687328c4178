import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineageSink, LineageStoreWriter, lineageRetention, PolicyCache } from '@app/audit-store';
import { loadPolicy } from '@app/policy';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { deadLetterRows } from './support/dead-letters';

const EXAMPLE = readFileSync(join(__dirname, '../../../policies/example.yaml'), 'utf8');
const TOPIC = 'governance.lineage';
const SETTING_DAYS = 3650;

/** The example policy declaring another lineage retention (a line `null`, or none at all). */
function policyDeclaring(days: number | null | 'none', version: string): { version: string; text: string } {
  const text = EXAMPLE.replace(
    /^ {2}lineageRetentionDays: \d+\n/m,
    days === 'none' ? '' : `  lineageRetentionDays: ${days === null ? 'null' : days}\n`,
  ).replace(/^version: .*$/m, `version: "${version}"`);
  return { version: loadPolicy(text, { fileName: 'p.yaml' }).version, text };
}

/** A dead-letter lineage record at `time`, at the next offset. */
const deadLetterAt = deadLetterRows(TOPIC);

// The audit store drops lineage after the retention the newest policy version declares
// (`options.lineageRetentionDays`), and after the service's setting when it declares none.
describe('lineage retention declared by the policy', () => {
  let store: StoreUnderTest;
  let writer: LineageStoreWriter;
  let seen = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    store = await provideMigratedStore();
    writer = new LineageStoreWriter(store.pool, new PolicyCache());
  });
  afterAll(async () => store?.close());

  /** Stores a policy version as the sink would read it, newer than every one before. */
  const storeVersion = async (p: { version: string; text: string }): Promise<void> => {
    seen += 1000;
    await writer.write({
      topic: 'governance.policy-versions',
      partition: 0,
      rows: [],
      versions: [{ ...p, firstSeenAt: new Date(seen) }],
      nextOffset: BigInt(seen),
    });
  };
  const events = async (): Promise<string[]> =>
    (
      await store.pool.query<{ event_id: string }>(`select event_id from audit_lineage order by event_id`)
    ).rows.map((r) => r.event_id);
  const sinkAt = (now: string): LineageSink =>
    new LineageSink({
      // Never connected: maintenance only uses the database.
      kafka: { brokers: ['127.0.0.1:9'], clientId: 'retention-test' },
      pool: store.pool,
      groupId: 'retention-test',
      retentionDays: SETTING_DAYS,
      now: () => new Date(now),
    });

  it('uses the setting until a policy version is stored', async () => {
    expect(await lineageRetention(store.pool, new PolicyCache(), SETTING_DAYS)).toEqual({
      days: SETTING_DAYS,
      declaredBy: null,
    });
  });

  it('the example policy declares five years', () => {
    expect(loadPolicy(EXAMPLE, { fileName: 'example.yaml' }).options.lineageRetentionDays).toBe(1826);
  });

  it('drops what is older than the newest version declares, keeps all under null, falls back to the setting', async () => {
    const rows = ['2026-06-15T00:00:00Z', '2026-10-20T00:00:00Z', '2026-11-20T00:00:00Z'].map(deadLetterAt);
    const sink = sinkAt('2026-12-05T00:00:00Z');
    await sink.maintain();
    await writer.write({ topic: TOPIC, partition: 0, rows, versions: [], nextOffset: 3n });

    // Declared null (for ever): nothing goes, even beyond the setting.
    const forEver = policyDeclaring(null, 'keep-all');
    await storeVersion(forEver);
    expect(await lineageRetention(store.pool, new PolicyCache(), SETTING_DAYS)).toEqual({
      days: null,
      declaredBy: forEver.version,
    });
    await sinkAt('2040-01-01T00:00:00Z').maintain();
    expect(await events()).toHaveLength(3);

    // A newer version declares 30 days: June and October go, November stays.
    const month = policyDeclaring(30, 'thirty-days');
    await storeVersion(month);
    await sink.maintain();
    expect(await events()).toEqual(['e-2026-11-20T00:00:00Z']);
    await expect(sink.metrics.retentionDays.get()).resolves.toMatchObject({ values: [{ value: 30 }] });

    // A newer version declaring none: the setting applies again (3,650 days keeps November).
    const none = policyDeclaring('none', 'undeclared');
    await storeVersion(none);
    expect(await lineageRetention(store.pool, new PolicyCache(), SETTING_DAYS)).toEqual({
      days: SETTING_DAYS,
      declaredBy: null,
    });
    await sink.maintain();
    expect(await events()).toEqual(['e-2026-11-20T00:00:00Z']);
  });

  it('a newest version whose text does not load leaves the setting in force', async () => {
    await storeVersion({ version: 'broken+0000', text: 'version: [' });
    expect(await lineageRetention(store.pool, new PolicyCache(), SETTING_DAYS)).toEqual({
      days: SETTING_DAYS,
      declaredBy: null,
    });
  });
});
