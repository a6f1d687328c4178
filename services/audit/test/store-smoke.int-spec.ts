import { LineageQueries } from '@app/audit-store';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';

describe('smoke', () => {
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await provideMigratedStore();
  });
  afterAll(async () => store?.close());
  it('runs every query on an empty store', async () => {
    const q = new LineageQueries(store.pool);
    expect((await q.subjectTimeline({ subjects: ['a'] })).items).toEqual([]);
    expect(await q.recordsForEvent('e')).toEqual([]);
    expect((await q.evidence('x')).assessment).toBeNull();
    expect((await q.recallByFormVersion('v')).evidence).toBe(0);
    expect(await q.dailyStatistics({ from: '2025-01-01', to: '2025-02-01' })).toEqual([]);
    expect(await q.deadLettersByCode({ from: '2025-01-01', to: '2025-02-01' })).toEqual([]);
    expect((await q.deadLetters({})).items).toEqual([]);
    expect(await q.policyVersion('v')).toBeNull();
    expect((await q.accessExport(['a'])).recipients).toEqual([]);
  });
});
