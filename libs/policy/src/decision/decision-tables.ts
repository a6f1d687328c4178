import type {
  AttributePlan,
  CompiledPolicy,
  DeclaredAttribute,
  Destination,
  EventTypeSpec,
  Purpose,
} from '../policy-file/compiled-policy.types';
import { eventTypeKey } from '../policy-file/compiled-policy.types';
import type { AttributeDecision } from './destination-decision';
import type { ReasonCode } from '../vocabulary/reason-codes';

/**
 * Lookup tables derived once per compiled policy so the per-event path only indexes arrays.
 * Why: the decision core runs per event and per destination; `plans.find`, per-event Maps of
 * purpose statuses and string keys (`source\0type`) showed up in the profile of `bench:policy`.
 * Everything here is derived from the immutable {@link CompiledPolicy}; nothing depends on an event.
 */

/** A withhold decision (and lineage record) that depends on nothing but the policy. */
export type StaticWithhold = AttributeDecision;

/** How one declared attribute of one event type is handled for one destination. */
export interface AttributeSlot {
  readonly plan: AttributePlan | undefined;
  /** Set when the outcome is fixed by the policy alone (not requested R28, not collected for R21). */
  readonly fixed: StaticWithhold | null;
  /** Ordinals (see {@link DecisionTables.purposeIndex}) of plan.candidates and plan.assessed. */
  readonly candidateOrds: readonly number[];
  readonly assessedOrds: readonly number[];
  /**
   * One-entry caches of shared withholds whose content depends only on this slot and a shared
   * (evidence-free, frozen) status or contact refusal: no-consent (R4/R23) and
   * no-contact-permission (R14 and other evidence-free refusals). Filled on first use; the key is
   * the shared object, so the cached pair is exactly what a fresh build would give.
   */
  statusKey: object | null;
  statusPurpose: Purpose | null;
  statusWithhold: StaticWithhold | null;
  contactKey: object | null;
  contactWithhold: StaticWithhold | null;
}

/** One event type as seen by one destination. */
export interface DestinationTypeTable {
  readonly destination: Destination;
  /** Indexed by the attribute's position in {@link EventTypeSpec.attributes}. */
  readonly slots: readonly AttributeSlot[];
}

/** One declared event type with its per-destination tables. */
export interface TypeTable {
  readonly spec: EventTypeSpec;
  readonly key: string;
  /** DeclaredAttribute -> index in spec.attributes. */
  readonly attributeIndex: ReadonlyMap<DeclaredAttribute, number>;
  /** In policy destination order. */
  readonly destinations: readonly DestinationTypeTable[];
}

/** Everything derived from a policy for the hot path. */
export interface DecisionTables {
  /** source -> type -> table (nested so no key string is built per event). */
  readonly types: ReadonlyMap<string, ReadonlyMap<string, TypeTable>>;
  readonly byKey: ReadonlyMap<string, TypeTable>;
  /** Every purpose gets a small integer so per-event status memos are arrays, not Maps. */
  readonly purposeIndex: ReadonlyMap<Purpose, number>;
  readonly purposeCount: number;
  /** Ordinal of the engagement-tracking purpose, or -1. */
  readonly trackingOrd: number;
}

/** A withhold decision for one attribute (also its lineage record). */
export function withholdDecision(
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

/** A withhold decision, frozen because it is shared between events. */
export const frozenWithhold = (
  path: string,
  reason: ReasonCode,
  rule: string,
  purpose: Purpose | null,
  evidenceId: string | null,
): StaticWithhold => Object.freeze(withholdDecision(path, reason, rule, purpose, evidenceId));

const cache = new WeakMap<CompiledPolicy, DecisionTables>();

/** The tables for a policy, built on first use and shared by every processor of that policy. */
export function decisionTables(policy: CompiledPolicy): DecisionTables {
  let t = cache.get(policy);
  if (t === undefined) {
    t = buildTables(policy);
    cache.set(policy, t);
  }
  return t;
}

function buildTables(policy: CompiledPolicy): DecisionTables {
  const purposeIndex = new Map<Purpose, number>();
  const ord = (p: Purpose): number => {
    let i = purposeIndex.get(p);
    if (i === undefined) {
      i = purposeIndex.size;
      purposeIndex.set(p, i);
    }
    return i;
  };
  for (const p of policy.purposes.values()) ord(p);
  const types = new Map<string, Map<string, TypeTable>>();
  const byKey = new Map<string, TypeTable>();
  for (const spec of policy.eventTypes.values()) {
    const key = eventTypeKey(spec.source, spec.type);
    const attributeIndex = new Map<DeclaredAttribute, number>();
    spec.attributes.forEach((a, i) => attributeIndex.set(a, i));
    const destinations = policy.destinations.map((destination) => {
      const plans = destination.plans.get(key) ?? [];
      const slots = spec.attributes.map((attribute): AttributeSlot => {
        // Same lookup as before the tables existed: the first plan for this attribute.
        const plan = plans.find((p) => p.attribute === attribute);
        let fixed: StaticWithhold | null = null;
        if (plan === undefined || plan.mode === null)
          fixed = frozenWithhold(attribute.path, 'not-requested', 'R28', null, null);
        else if (plan.candidates.length === 0 && plan.assessed.length === 0)
          fixed = frozenWithhold(attribute.path, 'purpose-not-collected-for', 'R21', null, null);
        return {
          plan,
          fixed,
          candidateOrds: plan === undefined ? [] : plan.candidates.map(ord),
          assessedOrds: plan === undefined ? [] : plan.assessed.map((a) => ord(a.purpose)),
          statusKey: null,
          statusPurpose: null,
          statusWithhold: null,
          contactKey: null,
          contactWithhold: null,
        };
      });
      return { destination, slots };
    });
    const table: TypeTable = { spec, key, attributeIndex, destinations };
    let bySource = types.get(spec.source);
    if (bySource === undefined) {
      bySource = new Map();
      types.set(spec.source, bySource);
    }
    bySource.set(spec.type, table);
    byKey.set(key, table);
  }
  const trackingKey = policy.options.engagementTrackingPurpose;
  const tracking = trackingKey === null ? undefined : policy.purposes.get(trackingKey);
  return {
    types,
    byKey,
    purposeIndex,
    purposeCount: purposeIndex.size,
    trackingOrd: tracking === undefined ? -1 : ord(tracking),
  };
}
