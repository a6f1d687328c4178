import type { MarketingScope } from '@app/contracts/consent-evidence.contract';
import type { MarketingGrant } from './consent-state.types';
import { MAX_MARKETING } from './state-bounds';

/** One marketing grant after a scoped withdrawal: the part taken away (if any) and what is left. */
export interface GrantCut {
  /** The part of the grant inside the withdrawal's scope; null when the scopes do not meet. */
  readonly removed: MarketingGrant | null;
  /** The rest of the grant, as grants of the same evidence, start and basis (possibly none). */
  readonly kept: readonly MarketingGrant[];
}

const all = (selected: readonly string[] | undefined): boolean =>
  selected === undefined || selected.length === 0;
const inside = (list: readonly string[], selected: readonly string[] | undefined): string[] =>
  all(selected) ? [...list] : list.filter((x) => (selected as readonly string[]).includes(x));
const outside = (list: readonly string[], selected: readonly string[] | undefined): string[] =>
  all(selected) ? [] : list.filter((x) => !(selected as readonly string[]).includes(x));

/**
 * R18: a withdrawal takes away exactly its scope. The grant's brands × channels × product groups
 * minus the withdrawn brands × channels × product groups (an absent list: all of them) is kept as
 * up to three grants: the other brands; the withdrawn brands on the other channels; the withdrawn
 * brands and channels for the other product groups. A grant naming no product groups (a soft
 * opt-in for nothing bought) meets any product group scope.
 */
export function cutGrant(g: MarketingGrant, scope: Partial<MarketingScope>): GrantCut {
  const brands = inside(g.brands, scope.brands);
  const channels = inside(g.channels, scope.channels);
  const groups = inside(g.productGroups, scope.productGroups);
  const groupsMeet = groups.length > 0 || g.productGroups.length === 0;
  if (brands.length === 0 || channels.length === 0 || !groupsMeet) return { removed: null, kept: [g] };
  const kept: MarketingGrant[] = [];
  const otherBrands = outside(g.brands, scope.brands);
  if (otherBrands.length > 0) kept.push({ ...g, brands: otherBrands });
  const otherChannels = outside(g.channels, scope.channels);
  if (otherChannels.length > 0) kept.push({ ...g, brands, channels: otherChannels });
  const otherGroups = outside(g.productGroups, scope.productGroups);
  if (otherGroups.length > 0) kept.push({ ...g, brands, channels, productGroups: otherGroups });
  return { removed: { ...g, brands, channels, productGroups: groups }, kept };
}

/**
 * The grants left after a scoped withdrawal, and the parts it took away. At most
 * {@link MAX_MARKETING} are kept, the newest (a cut can split a grant in three); dropping fails
 * closed.
 */
export function withdrawScope(
  grants: readonly MarketingGrant[],
  scope: Partial<MarketingScope>,
): { kept: MarketingGrant[]; removed: MarketingGrant[] } {
  const kept: MarketingGrant[] = [];
  const removed: MarketingGrant[] = [];
  for (const g of grants) {
    const cut = cutGrant(g, scope);
    if (cut.removed !== null) removed.push(cut.removed);
    kept.push(...cut.kept);
  }
  if (kept.length > MAX_MARKETING) {
    kept.sort((a, b) => b.since - a.since);
    kept.length = MAX_MARKETING;
  }
  return { kept, removed };
}
