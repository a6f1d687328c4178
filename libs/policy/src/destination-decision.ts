import type { AttributeDecisionRecord } from '@app/contracts/lineage-record.types';
import type { ContactPermission } from '@app/contracts/governed-record.types';
import type {
  AttributePlan,
  CompiledPolicy,
  DeclaredAttribute,
  Destination,
  Purpose,
} from './compiled-policy.types';
import type { SubjectState } from './consent-state.types';
import { ContactIndex, contactPermission, contactPermissionGiven } from './contact-permission';
import {
  type DecisionTables,
  type DestinationTypeTable,
  type TypeTable,
  decisionTables,
  frozenWithhold,
} from './decision-tables';
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

/** The lineage form of an attribute decision (R27): the same fields minus segments and value. */
function lineageRecord(a: AttributeDecision): AttributeDecisionRecord {
  return {
    path: a.path,
    outcome: a.outcome,
    reason: a.reason,
    rule: a.rule,
    purpose: a.purpose,
    legalBasis: a.legalBasis,
    evidenceId: a.evidenceId,
  };
}

/**
 * Per-event scratch shared by every destination of one event: purpose statuses depend on the
 * person, the purpose and the time only, so each is evaluated at most once per event.
 */
/** Keeps a subject's {@link ContactIndex} across events (created on first use). */
export interface ContactIndexOwner {
  contactIndex: ContactIndex | null;
}

export class StatusMemo {
  readonly statuses: (PurposeStatus | undefined)[];
  state: SubjectState | undefined = undefined;
  t = 0;

  constructor(
    readonly policy: CompiledPolicy,
    readonly tables: DecisionTables,
  ) {
    this.statuses = new Array<PurposeStatus | undefined>(tables.purposeCount).fill(undefined);
  }

  /** Who keeps the subject's {@link ContactIndex} (the processor's subject entry), if anyone. */
  owner: ContactIndexOwner | null = null;

  reset(state: SubjectState | undefined, t: number, owner: ContactIndexOwner | null = null): void {
    this.state = state;
    this.t = t;
    this.owner = owner;
    this.statuses.fill(undefined);
  }

  /** The contact gate for a destination with a channel, through the owner's index when there is one. */
  contact(destination: Destination): ContactPermission {
    const state = this.state;
    const owner = this.owner;
    const trackOpens = this.trackOpens();
    if (owner === null || state === undefined || state.marketing.length === 0)
      return contactPermissionGiven(this.policy, state, destination, this.t, trackOpens);
    return (owner.contactIndex ??= new ContactIndex()).permission(
      this.policy,
      state,
      destination,
      this.t,
      trackOpens,
    );
  }

  get(purpose: Purpose, ord: number): PurposeStatus {
    let s = this.statuses[ord];
    if (s === undefined) {
      s = purposeStatus(this.policy, this.state, purpose, this.t);
      this.statuses[ord] = s;
    }
    return s;
  }

  trackOpens(): boolean {
    const ord = this.tables.trackingOrd;
    if (ord < 0) return false;
    const trackingKey = this.policy.options.engagementTrackingPurpose as string;
    return this.get(this.policy.purposes.get(trackingKey) as Purpose, ord).ok;
  }
}

/** A payload walked once for an event, as parallel arrays (no per-attribute wrapper objects). */
export interface WalkedAttributes {
  readonly attributes: readonly DeclaredAttribute[];
  readonly values: readonly unknown[];
  readonly undeclared: readonly string[];
}

/** A destination decision with its lineage attribute records, built in the same pass. */
export interface DecisionWithRecords {
  readonly decision: DestinationDecision;
  readonly records: AttributeDecisionRecord[];
}

/**
 * The decision function proper, on precompiled tables (see decision-tables.ts). Both
 * {@link decideForDestination} and the processor go through here, so there is one implementation.
 */
export function decideWithTables(
  memo: StatusMemo,
  typeTable: TypeTable,
  destTable: DestinationTypeTable,
  walked: WalkedAttributes,
): DecisionWithRecords {
  const destination = destTable.destination;
  const contact = destination.channel === 'none' ? null : memo.contact(destination);
  const attributes: AttributeDecision[] = [];
  const records: AttributeDecisionRecord[] = [];
  let forwarded = 0;
  let pseudonymised = 0;
  const present = walked.attributes;
  for (let i = 0; i < present.length; i++) {
    const attribute = present[i] as DeclaredAttribute;
    const index = typeTable.attributeIndex.get(attribute);
    const slot = index === undefined ? undefined : destTable.slots[index];
    if (slot === undefined) {
      // An attribute of another event type's tree: nothing asked for it.
      const a = withhold(attribute.path, 'not-requested', 'R28', null, null);
      attributes.push(a);
      records.push(lineageRecord(a));
      continue;
    }
    if (slot.fixed !== null) {
      attributes.push(slot.fixed.decision);
      records.push(slot.fixed.record);
      continue;
    }
    const plan = slot.plan as AttributePlan;
    // G3 before G2: an e-mail tool receives nobody it may not contact.
    if (contact !== null && !contact.mayContact) {
      if (contact.evidenceId === null) {
        // Evidence-free refusals are shared frozen objects (see contact-permission.ts): so is this.
        let w = slot.contactKey === contact ? slot.contactWithhold : null;
        if (w === null) {
          w = frozenWithhold(
            attribute.path,
            contact.rule === 'R19' ? 'objection' : 'no-contact-permission',
            contact.rule,
            plan.candidates[0] ?? null,
            null,
          );
          slot.contactKey = contact;
          slot.contactWithhold = w;
        }
        attributes.push(w.decision);
        records.push(w.record);
        continue;
      }
      const a = withhold(
        attribute.path,
        contact.rule === 'R19' ? 'objection' : 'no-contact-permission',
        contact.rule,
        plan.candidates[0] ?? null,
        contact.evidenceId,
      );
      attributes.push(a);
      records.push(lineageRecord(a));
      continue;
    }
    let chosen: Purpose | null = null;
    let chosenStatus: PurposeStatus | null = null;
    let assessmentId: string | null = null;
    let failed: Purpose | null = null;
    let failedStatus: PurposeStatus | null = null;
    const candidates = plan.candidates;
    for (let c = 0; c < candidates.length; c++) {
      const purpose = candidates[c] as Purpose;
      const s = memo.get(purpose, slot.candidateOrds[c] as number);
      if (s.ok) {
        chosen = purpose;
        chosenStatus = s;
        break;
      }
      if (failed === null) {
        failed = purpose;
        failedStatus = s;
      }
    }
    if (chosen === null) {
      const assessed = plan.assessed;
      for (let c = 0; c < assessed.length; c++) {
        const entry = assessed[c] as AttributePlan['assessed'][number];
        const s = memo.get(entry.purpose, slot.assessedOrds[c] as number);
        if (s.ok) {
          chosen = entry.purpose;
          chosenStatus = s;
          assessmentId = entry.assessmentId;
          break;
        }
        if (failed === null) {
          failed = entry.purpose;
          failedStatus = s;
        }
      }
    }
    if (chosen === null) {
      const f = failedStatus as PurposeStatus;
      if (f.evidenceId === null) {
        // Evidence-free failures (no consent, R4/R23) are shared frozen statuses: share this too.
        let w = slot.statusKey === f && slot.statusPurpose === failed ? slot.statusWithhold : null;
        if (w === null) {
          w = frozenWithhold(attribute.path, f.reason, f.rule, failed, null);
          slot.statusKey = f;
          slot.statusPurpose = failed;
          slot.statusWithhold = w;
        }
        attributes.push(w.decision);
        records.push(w.record);
        continue;
      }
      const a = withhold(attribute.path, f.reason, f.rule, failed, f.evidenceId);
      attributes.push(a);
      records.push(lineageRecord(a));
      continue;
    }
    const s = chosenStatus as PurposeStatus;
    const pseudo = plan.mode === 'pseudonymise';
    forwarded++;
    if (pseudo) pseudonymised++;
    const a: AttributeDecision = {
      path: attribute.path,
      segments: attribute.segments,
      outcome: pseudo ? 'pseudonymise' : 'forward',
      reason: assessmentId !== null ? 'compatibility-assessment' : s.reason,
      rule: assessmentId !== null ? 'R22' : s.rule,
      purpose: chosen.key,
      legalBasis: chosen.legalBasis,
      evidenceId: assessmentId ?? s.evidenceId,
      value: walked.values[i],
    };
    attributes.push(a);
    records.push(lineageRecord(a));
  }
  const undeclared = walked.undeclared;
  for (let i = 0; i < undeclared.length; i++) {
    const a = withhold(undeclared[i] as string, 'undeclared-attribute', 'R28', null, null);
    attributes.push(a);
    records.push(lineageRecord(a));
  }
  return {
    decision: {
      destination,
      outcome: forwarded === 0 ? 'withheld' : forwarded === pseudonymised ? 'pseudonymised' : 'forwarded',
      attributes,
      contact,
    },
    records,
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
  const tables = decisionTables(policy);
  const typeTable = tables.byKey.get(eventKey);
  const destTable = typeTable?.destinations.find((d) => d.destination === destination);
  if (typeTable === undefined || destTable === undefined) {
    // Not a declared event type or destination of this policy: nothing is requested.
    const attributes = payload.present.map(({ attribute }) =>
      withhold(attribute.path, 'not-requested', 'R28', null, null),
    );
    for (const path of payload.undeclared)
      attributes.push(withhold(path, 'undeclared-attribute', 'R28', null, null));
    const contact = destination.channel === 'none' ? null : contactPermission(policy, state, destination, t);
    return { destination, outcome: 'withheld', attributes, contact };
  }
  const memo = new StatusMemo(policy, tables);
  memo.reset(state, t);
  const walked: WalkedAttributes = {
    attributes: payload.present.map((p) => p.attribute),
    values: payload.present.map((p) => p.value),
    undeclared: payload.undeclared,
  };
  return decideWithTables(memo, typeTable, destTable, walked).decision;
}
