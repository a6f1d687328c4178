import type { AttributeDecisionRecord } from '@app/contracts/lineage-record.types';
import type { ContactPermission } from '@app/contracts/governed-record.types';
import { contactPermission } from '../consent/contact-permission';
import { type ConsentHolders, useStatus, type UseStatus } from '../consent/use-status';
import {
  type AttributePlan,
  type CompiledPolicy,
  type Destination,
  type EventTypeSpec,
  type Purpose,
} from '../policy-file/compiled-policy.types';
import type { ReasonCode } from '../vocabulary/reason-codes';
import type { WalkedPayload } from './payload.walker';

/**
 * A per-attribute decision. It is also the attribute's lineage record (R27): it never holds the
 * value, so the record builder takes values from the walked payload by position.
 */
export interface AttributeDecision extends AttributeDecisionRecord {
  readonly reason: ReasonCode;
}

/** The decision for one event and one destination: per attribute, plus the contact gate. */
export interface DestinationDecision {
  readonly destination: Destination;
  readonly outcome: 'forwarded' | 'withheld' | 'pseudonymised';
  /** `attributes[i]` decides `walked.present[i]`; the listed undeclared paths follow, withheld. */
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
    outcome: 'withhold',
    reason,
    rule,
    purpose: purpose?.key ?? null,
    legalBasis: purpose?.legalBasis ?? null,
    evidenceId,
  };
}

function forward(
  path: string,
  plan: AttributePlan,
  purpose: Purpose,
  reason: ReasonCode,
  rule: string,
  evidenceId: string | null,
): AttributeDecision {
  return {
    path,
    outcome: plan.mode === 'pseudonymise' ? 'pseudonymise' : 'forward',
    reason,
    rule,
    purpose: purpose.key,
    legalBasis: purpose.legalBasis,
    evidenceId,
  };
}

/** The reason code of an attribute withheld because the contact gate refused. */
function contactRefusalReason(rule: string): ReasonCode {
  if (rule === 'R18') return 'consent-withdrawn';
  return rule === 'R19' ? 'objection' : rule === 'R16' ? 'messages-lack-opt-out' : 'no-contact-permission';
}

/**
 * One declared attribute for one destination. In order: not requested (R28), not collected for
 * any of the destination's purposes (R21), contact refused (G3 before G2: an e-mail tool receives
 * nobody it may not contact), then the first purpose the attribute was collected for that has a
 * basis, else the first one reachable through a compatibility assessment (R22). If none has a
 * basis, the first that failed says why.
 */
function decideAttribute(
  path: string,
  plan: AttributePlan | undefined,
  contact: ContactPermission | null,
  statusOf: (purpose: Purpose) => UseStatus,
): AttributeDecision {
  if (plan === undefined || plan.mode === null) return withhold(path, 'not-requested', 'R28', null, null);
  if (plan.candidates.length === 0 && plan.assessed.length === 0)
    return withhold(path, 'purpose-not-collected-for', 'R21', null, null);
  if (contact !== null && !contact.mayContact) {
    const reason = contactRefusalReason(contact.rule);
    return withhold(path, reason, contact.rule, plan.candidates[0] ?? null, contact.evidenceId);
  }
  let failed: UseStatus | null = null;
  for (const purpose of plan.candidates) {
    const s = statusOf(purpose);
    if (s.ok) return forward(path, plan, purpose, s.reason, s.rule, s.evidenceId);
    failed ??= s;
  }
  for (const { purpose, assessmentId } of plan.assessed) {
    const s = statusOf(purpose);
    if (s.ok) return forward(path, plan, purpose, 'compatibility-assessment', 'R22', assessmentId);
    failed ??= s;
  }
  // Not reached without a failure: the plan has at least one candidate or assessed purpose. The
  // purpose cited is the consent that is missing (a required device consent, or the purpose's own).
  const f = failed as UseStatus;
  return withhold(path, f.reason, f.rule, f.decidedBy, f.evidenceId);
}

/**
 * How one person's purposes stand for one use at one moment (with the consents the event type
 * requires): computed once per purpose and event, or replayed from lineage.
 */
export type UseStatusOf = (purpose: Purpose) => UseStatus;

/**
 * A declared attribute the event carried: its path and its position in the event type's attributes
 * (a walked payload's attributes are such, so the decision maps nothing per destination).
 */
export interface PresentPath {
  readonly attribute: { readonly path: string };
  readonly index: number;
}

/**
 * The per-attribute decisions for one destination from the facts that depend on the person and the
 * moment: the paths present, the contact gate and each purpose's status. Shared by the decision
 * (live facts) and the lineage renderer (facts replayed from a v2 record), so both decide alike.
 */
export function decideDestinationFrom(
  destination: Destination,
  eventKey: string,
  present: readonly PresentPath[],
  undeclaredListed: readonly string[],
  contact: ContactPermission | null,
  statusOf: UseStatusOf,
): DestinationDecision {
  const plans = destination.plans.get(eventKey) ?? [];
  const attributes = present.map(({ attribute, index }) =>
    decideAttribute(attribute.path, plans[index], contact, statusOf),
  );
  for (const path of undeclaredListed)
    attributes.push(withhold(path, 'undeclared-attribute', 'R28', null, null));
  let forwarded = 0;
  let pseudonymised = 0;
  for (const a of attributes) {
    if (a.outcome !== 'withhold') forwarded++;
    if (a.outcome === 'pseudonymise') pseudonymised++;
  }
  return {
    destination,
    outcome: forwarded === 0 ? 'withheld' : forwarded === pseudonymised ? 'pseudonymised' : 'forwarded',
    attributes,
    contact,
  };
}

/**
 * Decides every attribute of one source event of type `spec` for one destination as of time `t`
 * (the event's collection time), on the consents of the person and of the event's device: forward,
 * withhold or pseudonymise, with the reason, purpose, legal basis, consent evidence and rule. Pure.
 * Fails closed: anything not positively permitted is withheld, and undeclared paths always are
 * (R28). `statusOf` evaluates a purpose for this use at `t` (shared across destinations).
 */
export function decideDestination(
  policy: CompiledPolicy,
  holders: ConsentHolders,
  spec: EventTypeSpec,
  walked: WalkedPayload,
  destination: Destination,
  t: number,
  statusOf: UseStatusOf = (purpose) =>
    useStatus(policy, holders, purpose, spec.requirements?.get(purpose.key), t),
): DestinationDecision {
  const contact =
    destination.channel === 'none' ? null : contactPermission(policy, holders.person, destination, t);
  return decideDestinationFrom(
    destination,
    spec.key,
    walked.present,
    walked.undeclared.listed,
    contact,
    statusOf,
  );
}
