import type { CompiledPolicy, Purpose } from '../policy-file/compiled-policy.types';
import type { ReasonCode } from '../vocabulary/reason-codes';
import type { SubjectState } from './consent-state.types';

/** Whether a purpose has a basis for a person as of a time, and what it rests on. */
export interface PurposeStatus {
  readonly ok: boolean;
  readonly reason: ReasonCode;
  readonly rule: string;
  readonly evidenceId: string | null;
  /** Start of the grant window; data collected before it may not be used for the purpose (R22). */
  readonly since: number | null;
}

function status(
  ok: boolean,
  reason: ReasonCode,
  rule: string,
  evidenceId: string | null,
  since: number | null = null,
): PurposeStatus {
  return { ok, reason, rule, evidenceId, since };
}

/**
 * Evaluates a purpose for a person as of time `t` (the event's collection time). Consent-based
 * purposes need an active, unexpired grant (R1–R8, R18); other bases are fixed per purpose and never
 * replace a withdrawn consent (R20); an objection stops direct marketing whatever the basis (R19).
 */
export function purposeStatus(
  policy: CompiledPolicy,
  state: SubjectState | undefined,
  purpose: Purpose,
  t: number,
): PurposeStatus {
  const objection = state?.objection ?? null;
  if (purpose.legalBasis !== 'consent') {
    if (purpose.directMarketing && objection !== null)
      return status(false, 'objection', 'R19', objection.evidenceId);
    // R20: consent this person withdrew for the purpose is not replaced by another basis (a policy
    // that moved the purpose off consent, or a withdrawal that named it).
    const withdrawn = state?.withdrawn[purpose.key];
    if (withdrawn !== undefined) return status(false, 'consent-withdrawn', 'R20', withdrawn.evidenceId);
    return status(true, 'basis-fixed', purpose.necessary ? 'R6' : 'R20', null);
  }
  const tracking = purpose.key === policy.options.engagementTrackingPurpose;
  const grant = state?.purposes[purpose.key];
  if (grant === undefined) {
    const withdrawn = state?.withdrawn[purpose.key];
    // R19: an objection wins unless consent was withdrawn after it (then R18 explains it better).
    if (
      purpose.directMarketing &&
      objection !== null &&
      (withdrawn === undefined || withdrawn.at <= objection.at)
    )
      return status(false, 'objection', 'R19', objection.evidenceId);
    if (withdrawn !== undefined) return status(false, 'consent-withdrawn', 'R18', withdrawn.evidenceId);
    const refused = state?.refused[purpose.key];
    // R2 and R6 refusals come from valid choices that did not grant the purpose: no consent, by that rule.
    if (refused !== undefined)
      return status(
        false,
        refused.rule === 'R2' || refused.rule === 'R6' ? 'no-consent' : 'consent-invalid',
        refused.rule,
        refused.evidenceId,
      );
    // R21: a contact permission in force is not consent to this purpose (G3 is not G2).
    const rule = tracking ? 'R23' : contactInForce(policy, state, t) ? 'R21' : 'R4';
    return status(false, 'no-consent', rule, null);
  }
  const maxAge =
    grant.source === 'cookie-banner'
      ? policy.options.cookieConsentMaxAgeMs
      : policy.options.marketingConsentMaxAgeMs;
  if (maxAge !== null && t - grant.renewedAt > maxAge)
    return status(false, 'consent-expired', 'R8', grant.evidenceId, grant.since);
  if (t < grant.since) return status(false, 'collected-before-basis', 'R22', grant.evidenceId, grant.since);
  return status(true, 'basis-consent', tracking ? 'R23' : 'R2', grant.evidenceId, grant.since);
}

/** True when the person holds a marketing permission (G3) in force at `t`. */
function contactInForce(policy: CompiledPolicy, state: SubjectState | undefined, t: number): boolean {
  const maxAge = policy.options.marketingConsentMaxAgeMs;
  return (state?.marketing ?? []).some(
    (g) => g.since <= t && (g.basis === 'soft-opt-in' || maxAge === null || t - g.since <= maxAge),
  );
}
