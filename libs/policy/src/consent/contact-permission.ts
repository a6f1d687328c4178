import type { ContactPermission } from '@app/contracts/governed-record.types';
import type { CompiledPolicy, Destination } from '../policy-file/compiled-policy.types';
import type { MarketingGrant, SubjectState } from './consent-state.types';
import { purposeStatus } from './purpose-status';

/**
 * The contact gate (G3) for an e-mail or SMS destination as of time `t`: a consent covering the
 * destination's brand, channel and every product group it mails about (R14), or a soft opt-in with
 * all its conditions (R15); never after an objection unless a later explicit consent (R19); and
 * never through a destination whose messages do not all carry an easy opt-out (R16), whatever the
 * basis.
 * Open tracking needs its own consent (R23).
 */
export function contactPermission(
  policy: CompiledPolicy,
  state: SubjectState | undefined,
  destination: Destination,
  t: number,
): ContactPermission {
  const trackingPurpose =
    policy.options.engagementTrackingPurpose === null
      ? undefined
      : policy.purposes.get(policy.options.engagementTrackingPurpose);
  const trackOpens = trackingPurpose !== undefined && purposeStatus(policy, state, trackingPurpose, t).ok;
  return contactPermissionGiven(policy, state, destination, t, trackOpens);
}

// Refusals without evidence are the same for everyone: shared frozen objects, no per-event garbage.
const NO_CONTACT = new Map<string, ContactPermission>();
function no(rule: string, evidenceId: string | null = null): ContactPermission {
  if (evidenceId !== null) return { mayContact: false, trackOpens: false, basis: null, evidenceId, rule };
  let c = NO_CONTACT.get(rule);
  if (c === undefined) {
    c = Object.freeze({ mayContact: false, trackOpens: false, basis: null, evidenceId: null, rule });
    NO_CONTACT.set(rule, c);
  }
  return c;
}

function includesAll(wanted: readonly string[], have: readonly string[]): boolean {
  for (let i = 0; i < wanted.length; i++) if (!have.includes(wanted[i] as string)) return false;
  return true;
}

/**
 * {@link contactPermission} with the open-tracking status already known (the processor memoises
 * purpose statuses per event, so it does not evaluate the tracking purpose once per destination).
 */
export function contactPermissionGiven(
  policy: CompiledPolicy,
  state: SubjectState | undefined,
  destination: Destination,
  t: number,
  trackOpens: boolean,
): ContactPermission {
  const m = destination.marketing;
  if (m === null) return no('R14');
  if (!m.unsubscribeInEveryMessage) return no('R16');
  const maxAge = policy.options.marketingConsentMaxAgeMs;
  let softOptInFailure: string | null = null;
  const grants = state?.marketing;
  if (grants !== undefined) {
    for (let i = 0; i < grants.length; i++) {
      const g = grants[i] as MarketingGrant;
      if (g.since > t || !g.brands.includes(m.brand) || !g.channels.includes(m.channel)) continue;
      if (g.basis === 'consent') {
        if (maxAge !== null && t - g.since > maxAge) continue;
        if (includesAll(m.productGroups, g.productGroups)) {
          return { mayContact: true, trackOpens, basis: 'consent', evidenceId: g.evidenceId, rule: 'R14' };
        }
        continue;
      }
      // Soft opt-in: own brand, similar products only (the opt-out in every message is checked above).
      if (!policy.ownBrands.has(m.brand)) continue;
      const similar = m.productGroups.every((p) =>
        g.productGroups.some((b) => policy.similarGroups.get(b)?.has(p)),
      );
      if (!similar) {
        softOptInFailure = 'R15';
        continue;
      }
      return { mayContact: true, trackOpens, basis: 'soft-opt-in', evidenceId: g.evidenceId, rule: 'R15' };
    }
  }
  if (state?.objection != null) return no('R19', state.objection.evidenceId);
  if (softOptInFailure !== null) return no(softOptInFailure);
  if (state?.contactRefused != null) return no(state.contactRefused.rule, state.contactRefused.evidenceId);
  return no('R14');
}

// What a grant can do for one destination, whatever the time (see ContactIndex).
const CONSENT_HIT = 0;
const SOFT_HIT = 1;
const SOFT_FAIL_R15 = 2;

/** One destination's view of a subject's marketing grants (see ContactIndex). */
interface PreparedGrants {
  readonly destination: Destination;
  /** The grants that can matter for the destination, in list order, with their start and kind. */
  readonly grants: MarketingGrant[];
  readonly since: number[];
  readonly kinds: number[];
  /** The marketing list and length this view was built from. */
  list: MarketingGrant[] | null;
  length: number;
}

/**
 * Per subject (kept by the processor next to the state): for each e-mail or SMS destination, the
 * subject's marketing grants reduced to those whose brand and channel match, each with what it
 * can do regardless of time (a consent covering the product groups; a soft opt-in that works or
 * fails with R15). Why: customers collect dozens of grants over time, and the contact gate
 * ran its brand, channel, product-group and similarity checks over every grant for every event
 * and destination (email.opened spent most of its time there). The remaining loop only compares
 * times. The view is rebuilt when the list was replaced and extended when it grew (grants are
 * only ever appended or the list replaced). Same result as {@link contactPermissionGiven}.
 */
export class ContactIndex {
  private readonly views: PreparedGrants[] = [];

  permission(
    policy: CompiledPolicy,
    state: SubjectState,
    destination: Destination,
    t: number,
    trackOpens: boolean,
  ): ContactPermission {
    const m = destination.marketing;
    if (m === null) return no('R14');
    if (!m.unsubscribeInEveryMessage) return no('R16');
    const view = this.viewOf(policy, state.marketing, destination);
    const maxAge = policy.options.marketingConsentMaxAgeMs;
    let softOptInFailure: string | null = null;
    const since = view.since;
    const kinds = view.kinds;
    for (let i = 0; i < since.length; i++) {
      const s = since[i] as number;
      if (s > t) continue;
      const kind = kinds[i] as number;
      if (kind === CONSENT_HIT) {
        if (maxAge !== null && t - s > maxAge) continue;
        const g = view.grants[i] as MarketingGrant;
        return { mayContact: true, trackOpens, basis: 'consent', evidenceId: g.evidenceId, rule: 'R14' };
      }
      if (kind === SOFT_HIT) {
        const g = view.grants[i] as MarketingGrant;
        return { mayContact: true, trackOpens, basis: 'soft-opt-in', evidenceId: g.evidenceId, rule: 'R15' };
      }
      softOptInFailure = 'R15';
    }
    if (state.objection != null) return no('R19', state.objection.evidenceId);
    if (softOptInFailure !== null) return no(softOptInFailure);
    if (state.contactRefused != null) return no(state.contactRefused.rule, state.contactRefused.evidenceId);
    return no('R14');
  }

  private viewOf(policy: CompiledPolicy, list: MarketingGrant[], destination: Destination): PreparedGrants {
    let view: PreparedGrants | undefined;
    for (let i = 0; i < this.views.length; i++) {
      const v = this.views[i] as PreparedGrants;
      if (v.destination === destination) {
        view = v;
        break;
      }
    }
    if (view === undefined) {
      view = { destination, grants: [], since: [], kinds: [], list: null, length: 0 };
      this.views.push(view);
    }
    if (view.list === list && view.length === list.length) return view;
    let from = view.length;
    if (view.list !== list || list.length < view.length) {
      view.grants.length = 0;
      view.since.length = 0;
      view.kinds.length = 0;
      from = 0;
    }
    const m = destination.marketing as NonNullable<Destination['marketing']>;
    for (let i = from; i < list.length; i++) {
      const g = list[i] as MarketingGrant;
      const kind = grantKind(policy, m, g);
      if (kind < 0) continue;
      view.grants.push(g);
      view.since.push(g.since);
      view.kinds.push(kind);
    }
    view.list = list;
    view.length = list.length;
    return view;
  }
}

/** What grant `g` can do for marketing destination `m` at any time it is in force, or -1: nothing. */
function grantKind(
  policy: CompiledPolicy,
  m: NonNullable<Destination['marketing']>,
  g: MarketingGrant,
): number {
  if (!g.brands.includes(m.brand) || !g.channels.includes(m.channel)) return -1;
  if (g.basis === 'consent') return includesAll(m.productGroups, g.productGroups) ? CONSENT_HIT : -1;
  if (!policy.ownBrands.has(m.brand)) return -1;
  const similar = m.productGroups.every((p) =>
    g.productGroups.some((b) => policy.similarGroups.get(b)?.has(p)),
  );
  return similar ? SOFT_HIT : SOFT_FAIL_R15;
}
