import type { AttributeDecisionRecord } from '@app/contracts/lineage-record.types';
import type { ContactPermission } from '@app/contracts/governed-record.types';
import type { CompiledPolicy, Destination, Purpose } from './compiled-policy.types';
import type { SubjectState } from './consent-state.types';
import { contactPermission } from './contact-permission';
import type { WalkedPayload } from './payload.walker';
import { purposeStatus, type PurposeStatus } from './purpose-status';
import type { ReasonCode } from './reason-codes';

/** A per-attribute decision; `value` is the value to send (absent when withheld). */
export interface AttributeDecision extends AttributeDecisionRecord {
  readonly reason: ReasonCode;
  readonly segments: readonly string[] | null;
  readonly value?: unknown;
}

/** The decision for one event and one destination: per attribute, plus the contact gate. */
export interface DestinationDecision {
  readonly destination: Destination;
  readonly outcome: 'forwarded' | 'withheld' | 'pseudonymised';
  readonly attributes: readonly AttributeDecision[];
  readonly contact: ContactPermission | null;
}

function withhold(
  path: string,
  reason: ReasonCode,
  rule: string,
  purpose: Purpose | null,
  evidenceId: string | null,
): AttributeDecision {
  return {
    path,
    segments: null,
    outcome: 'withhold',
    reason,
    rule,
    purpose: purpose?.key ?? null,
    legalBasis: purpose?.legalBasis ?? null,
    evidenceId,
  };
}

/**
 * Decides every attribute of one source event for one destination as of time `t`: forward,
 * withhold or pseudonymise, with the reason, purpose, legal basis, consent evidence and rule.
 * Pure. Fails closed: anything not positively permitted is withheld.
 */
export function decideForDestination(
  policy: CompiledPolicy,
  state: SubjectState | undefined,
  eventKey: string,
  payload: WalkedPayload,
  destination: Destination,
  t: number,
): DestinationDecision {
  const contact = destination.channel === 'none' ? null : contactPermission(policy, state, destination, t);
  const plans = destination.plans.get(eventKey) ?? [];
  const statuses = new Map<string, PurposeStatus>();
  const status = (p: Purpose): PurposeStatus => {
    let s = statuses.get(p.key);
    if (s === undefined) {
      s = purposeStatus(policy, state, p, t);
      statuses.set(p.key, s);
    }
    return s;
  };
  const attributes: AttributeDecision[] = [];
  let forwarded = 0;
  let pseudonymised = 0;
  for (const { attribute, value } of payload.present) {
    const plan = plans.find((p) => p.attribute === attribute);
    if (plan === undefined || plan.mode === null) {
      attributes.push(withhold(attribute.path, 'not-requested', 'R28', null, null));
      continue;
    }
    if (plan.candidates.length === 0 && plan.assessed.length === 0) {
      attributes.push(withhold(attribute.path, 'purpose-not-collected-for', 'R21', null, null));
      continue;
    }
    // G3 before G2: an e-mail tool receives nobody it may not contact.
    if (contact !== null && !contact.mayContact) {
      attributes.push(
        withhold(
          attribute.path,
          contact.rule === 'R19' ? 'objection' : 'no-contact-permission',
          contact.rule,
          plan.candidates[0] ?? null,
          contact.evidenceId,
        ),
      );
      continue;
    }
    let chosen: { purpose: Purpose; s: PurposeStatus; assessmentId: string | null } | null = null;
    let firstFailure: { purpose: Purpose; s: PurposeStatus } | null = null;
    for (const purpose of plan.candidates) {
      const s = status(purpose);
      if (s.ok) {
        chosen = { purpose, s, assessmentId: null };
        break;
      }
      firstFailure ??= { purpose, s };
    }
    if (chosen === null) {
      for (const { purpose, assessmentId } of plan.assessed) {
        const s = status(purpose);
        if (s.ok) {
          chosen = { purpose, s, assessmentId };
          break;
        }
        firstFailure ??= { purpose, s };
      }
    }
    if (chosen === null) {
      const f = firstFailure as { purpose: Purpose; s: PurposeStatus };
      attributes.push(withhold(attribute.path, f.s.reason, f.s.rule, f.purpose, f.s.evidenceId));
      continue;
    }
    const pseudo = plan.mode === 'pseudonymise';
    forwarded++;
    if (pseudo) pseudonymised++;
    attributes.push({
      path: attribute.path,
      segments: attribute.segments,
      outcome: pseudo ? 'pseudonymise' : 'forward',
      reason: chosen.assessmentId !== null ? 'compatibility-assessment' : chosen.s.reason,
      rule: chosen.assessmentId !== null ? 'R22' : chosen.s.rule,
      purpose: chosen.purpose.key,
      legalBasis: chosen.purpose.legalBasis,
      evidenceId: chosen.assessmentId ?? chosen.s.evidenceId,
      value,
    });
  }
  for (const path of payload.undeclared)
    attributes.push(withhold(path, 'undeclared-attribute', 'R28', null, null));
  return {
    destination,
    outcome: forwarded === 0 ? 'withheld' : forwarded === pseudonymised ? 'pseudonymised' : 'forwarded',
    attributes,
    contact,
  };
}
