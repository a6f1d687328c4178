import type { MarketingGrant } from './consent-state.types';
import { MAX_MARKETING } from './state-bounds';
import { cutGrant, withdrawScope } from './withdrawal-scope';

const grant: MarketingGrant = {
  since: 1,
  evidenceId: 'ev-1',
  basis: 'consent',
  brands: ['nordlys', 'fjeld'],
  channels: ['email', 'sms'],
  productGroups: ['running_shoes', 'outdoor_gear'],
};

/** Every (brand, channel, product group) a list of grants covers, as sorted strings. */
function cells(grants: readonly MarketingGrant[]): string[] {
  return grants
    .flatMap((g) =>
      g.brands.flatMap((b) => g.channels.flatMap((c) => g.productGroups.map((p) => `${b}/${c}/${p}`))),
    )
    .sort();
}

describe('a scoped withdrawal (R18)', () => {
  it('takes away exactly one product group and keeps the rest of the grant', () => {
    const cut = cutGrant(grant, { productGroups: ['outdoor_gear'] });
    expect(cells(cut.removed === null ? [] : [cut.removed])).toEqual([
      'fjeld/email/outdoor_gear',
      'fjeld/sms/outdoor_gear',
      'nordlys/email/outdoor_gear',
      'nordlys/sms/outdoor_gear',
    ]);
    expect(cells(cut.kept)).toEqual([
      'fjeld/email/running_shoes',
      'fjeld/sms/running_shoes',
      'nordlys/email/running_shoes',
      'nordlys/sms/running_shoes',
    ]);
    for (const k of cut.kept)
      expect({ since: k.since, evidenceId: k.evidenceId }).toEqual({ since: 1, evidenceId: 'ev-1' });
  });

  it('takes away one brand on one channel for one group, keeping every other combination', () => {
    const cut = cutGrant(grant, { brands: ['nordlys'], channels: ['sms'], productGroups: ['running_shoes'] });
    expect(cells(cut.removed === null ? [] : [cut.removed])).toEqual(['nordlys/sms/running_shoes']);
    const all = cells([grant]);
    expect(cells(cut.kept)).toEqual(all.filter((c) => c !== 'nordlys/sms/running_shoes'));
  });

  it('leaves a grant the scope does not meet untouched', () => {
    expect(cutGrant(grant, { productGroups: ['accessories'] })).toEqual({ removed: null, kept: [grant] });
    expect(cutGrant(grant, { channels: ['post'] })).toEqual({ removed: null, kept: [grant] });
  });

  it('takes the whole grant for an empty scope (withdrawing everything)', () => {
    const { kept, removed } = withdrawScope([grant], {});
    expect(kept).toEqual([]);
    expect(cells(removed)).toEqual(cells([grant]));
  });

  it('meets a grant naming no product groups under any product group scope', () => {
    const none = { ...grant, productGroups: [] };
    expect(cutGrant(none, { productGroups: ['running_shoes'] }).removed).not.toBeNull();
  });

  it(`keeps at most ${MAX_MARKETING} grants, the newest`, () => {
    const many = Array.from({ length: MAX_MARKETING }, (_, i) => ({
      ...grant,
      since: i,
      evidenceId: `ev-${i}`,
    }));
    const { kept } = withdrawScope(many, {
      brands: ['nordlys'],
      channels: ['sms'],
      productGroups: ['running_shoes'],
    });
    expect(kept).toHaveLength(MAX_MARKETING);
    expect(Math.min(...kept.map((k) => k.since))).toBeGreaterThan(0);
  });
});
