import type { ContactPermission } from '@app/contracts/governed-record.types';
import type { CompiledPolicy, Destination } from './compiled-policy.types';
import type { MarketingGrant, SubjectState } from './consent-state.types';
import { purposeStatus } from './purpose-status';

/**
 * The contact gate (G3) for an e-mail or SMS destination as of time `t`: a consent covering the
 * destination's brand, channel and every product group it mails about (R14), or a soft opt-in with
 * all its conditions (R15, R16); never after an objection unless a later explicit consent (R19).
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
      // Soft opt-in: own brand, similar products only, an easy opt-out in every message.
      if (!policy.ownBrands.has(m.brand)) continue;
      const similar = m.productGroups.every((p) =>
        g.productGroups.some((b) => policy.similarGroups.get(b)?.has(p)),
      );
      if (!similar) {
        softOptInFailure = 'R15';
        continue;
      }
      if (!m.unsubscribeInEveryMessage) {
        softOptInFailure = 'R16';
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
