import type { AttributeDecisionRecord } from '@app/contracts/lineage-record.types';
import type { ContactPermission } from '@app/contracts/governed-record.types';
import type {
  AttributePlan,
  CompiledPolicy,
  DeclaredAttribute,
  Destination,
  Purpose,
} from '../policy-file/compiled-policy.types';
import type { SubjectState } from '../consent/consent-state.types';
import { ContactIndex, contactPermission, contactPermissionGiven } from '../consent/contact-permission';
import {
  type DecisionTables,
  type DestinationTypeTable,
  decisionTables,
  frozenWithhold,
  withholdDecision,
} from './decision-tables';
import type { WalkedPayload } from './payload.walker';
import { purposeStatus, type PurposeStatus } from '../consent/purpose-status';
import type { ReasonCode } from '../vocabulary/reason-codes';

/**
 * A per-attribute decision. It is also the attribute's lineage record (R27): it never holds the
 * value, so the processor takes values from the walked payload by position and the lineage
 * record shares this object instead of copying it.
 */
export interface AttributeDecision extends AttributeDecisionRecord {
  readonly reason: ReasonCode;
}

/** The decision for one event and one destination: per attribute, plus the contact gate. */
export interface DestinationDecision {
  readonly destination: Destination;
  readonly outcome: 'forwarded' | 'withheld' | 'pseudonymised';
  readonly attributes: readonly AttributeDecision[];
  readonly contact: ContactPermission | null;
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

/** The reason code of an attribute withheld because the contact gate refused (G3 before G2). */
function contactRefusalReason(rule: string): ReasonCode {
  return rule === 'R19' ? 'objection' : rule === 'R16' ? 'messages-lack-opt-out' : 'no-contact-permission';
}

/** A payload walked once for an event, as parallel arrays (no per-attribute wrapper objects). */
export interface WalkedAttributes {
  readonly attributes: readonly DeclaredAttribute[];
  /** Each attribute's index in its event type's `spec.attributes` (-1: not of this type). */
  readonly indexes: readonly number[];
  readonly values: readonly unknown[];
  readonly undeclared: readonly string[];
}

/**
 * The decision function proper, on precompiled tables (see decision-tables.ts). Both
 * {@link decideForDestination} and the processor go through here, so there is one implementation.
 * `attributes[i]` of the result decides `walked.attributes[i]`; undeclared paths follow.
 */
export function decideWithTables(
  memo: StatusMemo,
  destTable: DestinationTypeTable,
  walked: WalkedAttributes,
): DestinationDecision {
  const destination = destTable.destination;
  const contact = destination.channel === 'none' ? null : memo.contact(destination);
  const attributes: AttributeDecision[] = [];
  let forwarded = 0;
  let pseudonymised = 0;
  const present = walked.attributes;
  const indexes = walked.indexes;
  for (let i = 0; i < present.length; i++) {
    const attribute = present[i] as DeclaredAttribute;
    const slot = destTable.slots[indexes[i] as number];
    if (slot === undefined) {
      // An attribute of another event type's tree: nothing asked for it.
      attributes.push(withholdDecision(attribute.path, 'not-requested', 'R28', null, null));
      continue;
    }
    if (slot.fixed !== null) {
      attributes.push(slot.fixed);
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
            contactRefusalReason(contact.rule),
            contact.rule,
            plan.candidates[0] ?? null,
            null,
          );
          slot.contactKey = contact;
          slot.contactWithhold = w;
        }
        attributes.push(w);
        continue;
      }
      attributes.push(
        withholdDecision(
          attribute.path,
          contactRefusalReason(contact.rule),
          contact.rule,
          plan.candidates[0] ?? null,
          contact.evidenceId,
        ),
      );
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
        attributes.push(w);
        continue;
      }
      attributes.push(withholdDecision(attribute.path, f.reason, f.rule, failed, f.evidenceId));
      continue;
    }
    const s = chosenStatus as PurposeStatus;
    const pseudo = plan.mode === 'pseudonymise';
    forwarded++;
    if (pseudo) pseudonymised++;
    attributes.push({
      path: attribute.path,
      outcome: pseudo ? 'pseudonymise' : 'forward',
      reason: assessmentId !== null ? 'compatibility-assessment' : s.reason,
      rule: assessmentId !== null ? 'R22' : s.rule,
      purpose: chosen.key,
      legalBasis: chosen.legalBasis,
      evidenceId: assessmentId ?? s.evidenceId,
    });
  }
  const undeclared = walked.undeclared;
  for (let i = 0; i < undeclared.length; i++)
    attributes.push(withholdDecision(undeclared[i] as string, 'undeclared-attribute', 'R28', null, null));
  return {
    destination,
    outcome: forwarded === 0 ? 'withheld' : forwarded === pseudonymised ? 'pseudonymised' : 'forwarded',
    attributes,
    contact,
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
      withholdDecision(attribute.path, 'not-requested', 'R28', null, null),
    );
    for (const path of payload.undeclared)
      attributes.push(withholdDecision(path, 'undeclared-attribute', 'R28', null, null));
    const contact = destination.channel === 'none' ? null : contactPermission(policy, state, destination, t);
    return { destination, outcome: 'withheld', attributes, contact };
  }
  const memo = new StatusMemo(policy, tables);
  memo.reset(state, t);
  const walked: WalkedAttributes = {
    attributes: payload.present.map((p) => p.attribute),
    indexes: payload.present.map((p) => typeTable.attributeIndex.get(p.attribute) ?? -1),
    values: payload.present.map((p) => p.value),
    undeclared: payload.undeclared,
  };
  return decideWithTables(memo, destTable, walked);
}
