import type { ConsentRequirement, CompiledPolicy, Purpose } from '../policy-file/compiled-policy.types';
import type { SubjectState } from './consent-state.types';
import { purposeStatus, type PurposeStatus } from './purpose-status';

/** A purpose's status for one use, and the purpose whose consent decided it. */
export interface UseStatus extends PurposeStatus {
  /** The purpose itself, or the required consent that is missing (cited in the decision). */
  readonly decidedBy: Purpose;
}

/** Whose consent states an event is decided on: the person (resolved subject) and its device. */
export interface ConsentHolders {
  readonly person: SubjectState | undefined;
  /**
   * The device's own state (the banner choices made on it), or undefined when it has none; null
   * when the event names no device although its type declares one.
   */
  readonly device: SubjectState | undefined | null;
}

/**
 * §1 of the consent model: using an attribute for a purpose needs the person's basis for the
 * purpose and every consent the event type requires for it, each of its own holder, all as of the
 * event's time `t`. The person's basis is checked first, then the requirements in policy order;
 * the first one missing decides, with its own reason and rule (a device's cookie consent refused
 * under R1 cites R1, one ended by a rejection on the banner R18, one too old R8). When the person
 * simply has no consent for the purpose (R4), a required consent that a rule refused decides
 * instead; when every other requirement holds, R21 decides: a device or contact consent is not
 * the person's consent to profiling.
 */
export function useStatus(
  policy: CompiledPolicy,
  holders: ConsentHolders,
  purpose: Purpose,
  requirements: readonly ConsentRequirement[] | undefined,
  t: number,
): UseStatus {
  const own = purposeStatus(policy, holders.person, purpose, t);
  if (requirements === undefined || requirements.length === 0) return { ...own, decidedBy: purpose };
  let missing: UseStatus | null = null;
  for (const r of requirements) {
    const s = requirementStatus(policy, holders, r, t);
    if (!s.ok) {
      missing = { ...s, decidedBy: r.purpose };
      break;
    }
  }
  if (!own.ok) {
    const bare = own.reason === 'no-consent' && own.rule === 'R4';
    if (bare && missing === null) return { ...own, rule: 'R21', decidedBy: purpose };
    // A bare absence is the weakest reason: a required consent refused, withdrawn or expired
    // names the rule that decided (R1, R2, R3, R5, R6, R8, R18 ...).
    if (bare && missing !== null && missing.rule !== 'R4') return missing;
    return { ...own, decidedBy: purpose };
  }
  return missing ?? { ...own, decidedBy: purpose };
}

function requirementStatus(
  policy: CompiledPolicy,
  holders: ConsentHolders,
  r: ConsentRequirement,
  t: number,
): PurposeStatus {
  if (r.holder === 'person') return purposeStatus(policy, holders.person, r.purpose, t);
  if (holders.device === null)
    return { ok: false, reason: 'no-consent', rule: 'R4', evidenceId: null, since: null };
  return purposeStatus(policy, holders.device, r.purpose, t);
}
