import type { ContactPermission } from '@app/contracts/governed-record.types';
import type { CompiledPolicy, Destination } from './compiled-policy.types';
import type { SubjectState } from './consent-state.types';
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
  const m = destination.marketing;
  const trackingPurpose =
    policy.options.engagementTrackingPurpose === null
      ? undefined
      : policy.purposes.get(policy.options.engagementTrackingPurpose);
  const trackOpens = trackingPurpose !== undefined && purposeStatus(policy, state, trackingPurpose, t).ok;
  const no = (rule: string, evidenceId: string | null = null): ContactPermission => ({
    mayContact: false,
    trackOpens: false,
    basis: null,
    evidenceId,
    rule,
  });
  if (m === null) return no('R14');
  const maxAge = policy.options.marketingConsentMaxAgeMs;
  let softOptInFailure: string | null = null;
  for (const g of state?.marketing ?? []) {
    if (g.since > t || !g.brands.includes(m.brand) || !g.channels.includes(m.channel)) continue;
    if (g.basis === 'consent') {
      if (maxAge !== null && t - g.since > maxAge) continue;
      if (m.productGroups.every((p) => g.productGroups.includes(p))) {
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
  if (state?.objection != null) return no('R19', state.objection.evidenceId);
  if (softOptInFailure !== null) return no(softOptInFailure);
  if (state?.contactRefused != null) return no(state.contactRefused.rule, state.contactRefused.evidenceId);
  return no('R14');
}
