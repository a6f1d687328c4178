import type { ContactPermission } from '@app/contracts/governed-record.types';
import type { CompiledPolicy, Destination, DestinationMarketing } from '../policy-file/compiled-policy.types';
import type { MarketingGrant, SubjectState } from './consent-state.types';
import { purposeStatus } from './purpose-status';

/** What one marketing grant can do for one destination while it is in force. */
type GrantPower = 'consent' | 'soft-opt-in' | 'soft-opt-in-not-similar' | 'nothing';

/**
 * R14: a consent covers the destination when it names its brand, its channel and every product
 * group it mails about. R15: a soft opt-in covers it only for the controller's own brand, on the
 * channel it was given for, and for products similar to those bought.
 */
function grantPower(policy: CompiledPolicy, m: DestinationMarketing, g: MarketingGrant): GrantPower {
  if (!g.brands.includes(m.brand) || !g.channels.includes(m.channel)) return 'nothing';
  if (g.basis === 'consent')
    return m.productGroups.every((p) => g.productGroups.includes(p)) ? 'consent' : 'nothing';
  if (!policy.ownBrands.has(m.brand)) return 'nothing';
  const similar = m.productGroups.every((p) =>
    g.productGroups.some((b) => policy.similarGroups.get(b)?.has(p)),
  );
  return similar ? 'soft-opt-in' : 'soft-opt-in-not-similar';
}

function refusal(rule: string, evidenceId: string | null): ContactPermission {
  return { mayContact: false, trackOpens: false, basis: null, evidenceId, rule };
}

/** R23: open and click tracking needs its own consent, whatever allows the contact. */
function tracksOpens(policy: CompiledPolicy, state: SubjectState | undefined, t: number): boolean {
  const key = policy.options.engagementTrackingPurpose;
  const purpose = key === null ? undefined : policy.purposes.get(key);
  return purpose !== undefined && purposeStatus(policy, state, purpose, t).ok;
}

/**
 * The contact gate (G3) for an e-mail or SMS destination as of time `t`: the first grant in force,
 * in list order, that covers the destination (R14 consent, unexpired; R15 soft opt-in); never after
 * an objection unless a later explicit consent (R19); and never through a destination whose
 * messages do not all carry an easy opt-out (R16), whatever the basis. A refusal names the rule
 * and, where there is one, the evidence that explains it.
 */
export function contactPermission(
  policy: CompiledPolicy,
  state: SubjectState | undefined,
  destination: Destination,
  t: number,
): ContactPermission {
  const m = destination.marketing;
  if (m === null) return refusal('R14', null);
  if (!m.unsubscribeInEveryMessage) return refusal('R16', null);
  const maxAge = policy.options.marketingConsentMaxAgeMs;
  let softOptInNotSimilar = false;
  for (const g of state?.marketing ?? []) {
    if (g.since > t) continue;
    const power = grantPower(policy, m, g);
    if (power === 'consent' && (maxAge === null || t - g.since <= maxAge))
      return {
        mayContact: true,
        trackOpens: tracksOpens(policy, state, t),
        basis: 'consent',
        evidenceId: g.evidenceId,
        rule: 'R14',
      };
    if (power === 'soft-opt-in')
      return {
        mayContact: true,
        trackOpens: tracksOpens(policy, state, t),
        basis: 'soft-opt-in',
        evidenceId: g.evidenceId,
        rule: 'R15',
      };
    if (power === 'soft-opt-in-not-similar') softOptInNotSimilar = true;
  }
  if (state?.objection != null) return refusal('R19', state.objection.evidenceId);
  if (softOptInNotSimilar) return refusal('R15', null);
  if (state?.contactRefused != null)
    return refusal(state.contactRefused.rule, state.contactRefused.evidenceId);
  return refusal('R14', null);
}
