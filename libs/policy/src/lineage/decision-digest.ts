import type { ContactPermission } from '@app/contracts/governed-record.types';
import type {
  ContactDigest,
  DecisionLineageRecord,
  DestinationDigest,
  PurposeBasisDigest,
} from '@app/contracts/lineage-record.types';
import { LINEAGE_VERSION } from '@app/contracts/lineage-record.types';
import type { UseStatus } from '../consent/use-status';
import type { DestinationDecision } from '../decision/destination-decision';
import type { CompiledPolicy, EventTypeSpec, Purpose } from '../policy-file/compiled-policy.types';
import { noStateContact, noStateStatus } from './no-state';
import { impliedRule, POLICY_DETERMINED_REASONS, ruleOfReason } from './purpose-basis';

/** Evidence and assessment ids named by one record, each once, referred to by index. */
export class EvidenceList {
  // A record names a handful of ids at most: a linear search beats a map per event.
  readonly ids: string[] = [];

  /** The index of `id` in the list (added when new); null for no evidence. */
  indexOf(id: string | null): number | null {
    if (id === null) return null;
    const i = this.ids.indexOf(id);
    return i >= 0 ? i : this.ids.push(id) - 1;
  }
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One destination's result as stored: path positions forwarded, pseudonymised and withheld for a
 * reason that depends on the person or the moment (by reason, `reason@rule` where the reason does
 * not determine the rule; withholdings the policy alone determines are left to the renderer), and
 * the contact gate where it differs from a person's with no state. The lineage renderer encodes its
 * replayed decision the same way to check it against the record.
 */
export function destinationDigest(
  policy: CompiledPolicy,
  d: DestinationDecision,
  evidence: EvidenceList,
): DestinationDigest {
  const f: number[] = [];
  const p: number[] = [];
  let w: Record<string, number[]> | undefined;
  const attributes = d.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i] as (typeof attributes)[number];
    if (a.outcome === 'forward') f.push(i);
    else if (a.outcome === 'pseudonymise') p.push(i);
    else if (!POLICY_DETERMINED_REASONS.has(a.reason)) {
      const key = ruleOfReason(a.reason) === a.rule ? a.reason : `${a.reason}@${a.rule}`;
      w ??= {};
      (w[key] ??= []).push(i);
    }
  }
  const out: Writable<DestinationDigest> = {};
  if (f.length > 0) out.f = f;
  if (p.length > 0) out.p = p;
  if (w !== undefined) out.w = w;
  const c = d.contact;
  if (c !== null && !sameContact(c, noStateContact(policy, d.destination))) {
    const contact: ContactDigest = [c.basis, c.rule, evidence.indexOf(c.evidenceId), c.trackOpens ? 1 : 0];
    out.c = contact;
  }
  return out;
}

/** Whether two contact gates say the same. */
function sameContact(a: ContactPermission, b: ContactPermission): boolean {
  return (
    a.mayContact === b.mayContact &&
    a.trackOpens === b.trackOpens &&
    a.basis === b.basis &&
    a.rule === b.rule &&
    a.evidenceId === b.evidenceId
  );
}

/** Whether two statuses say the same (the grant window start is not part of a decision). */
function sameStatus(a: UseStatus, b: UseStatus): boolean {
  return (
    a.ok === b.ok &&
    a.reason === b.reason &&
    a.rule === b.rule &&
    a.evidenceId === b.evidenceId &&
    a.decidedBy === b.decidedBy
  );
}

/**
 * The consulted purposes whose status differs from that of a person with no consent state (which
 * the renderer recomputes): reason, evidence and, where the reason and purpose do not imply it,
 * the rule.
 */
function basesDigest(
  policy: CompiledPolicy,
  spec: EventTypeSpec,
  statuses: ReadonlyMap<Purpose, UseStatus>,
  evidence: EvidenceList,
): Record<string, PurposeBasisDigest> | undefined {
  let bases: Record<string, PurposeBasisDigest> | undefined;
  for (const [purpose, s] of statuses) {
    if (sameStatus(s, noStateStatus(policy, spec, purpose))) continue;
    const e = evidence.indexOf(s.evidenceId);
    const rule = impliedRule(policy, s.reason, s.decidedBy) === s.rule ? null : s.rule;
    bases ??= {};
    bases[purpose.key] =
      s.decidedBy !== purpose
        ? [s.reason, e, rule, s.decidedBy.key]
        : rule === null
          ? [s.reason, e]
          : [s.reason, e, rule];
  }
  return bases;
}

/** What the digest of one source event is built from. */
export interface DecisionFacts {
  readonly eventId: string;
  readonly subject: string;
  readonly time: string;
  readonly source: string;
  readonly type: string;
  readonly paths: readonly string[];
  readonly undeclared: { readonly listed: readonly string[]; readonly total: number };
  readonly eventType: EventTypeSpec;
  readonly statuses: ReadonlyMap<Purpose, UseStatus>;
  readonly decisions: readonly DestinationDecision[];
}

/**
 * The v2 decision record of one source event (R27): the paths once, the per-person purpose facts
 * once, and per destination the compact result. Purpose, legal basis and rule per attribute are
 * left to the policy version (see renderDecision).
 */
export function decisionRecord(policy: CompiledPolicy, facts: DecisionFacts): DecisionLineageRecord {
  const evidence = new EvidenceList();
  const bases = basesDigest(policy, facts.eventType, facts.statuses, evidence);
  const destinations: Record<string, DestinationDigest> = {};
  for (const d of facts.decisions) {
    const digest = destinationDigest(policy, d, evidence);
    // A destination left out got exactly what the policy and the paths alone give.
    if (Object.keys(digest).length > 0) destinations[d.destination.name] = digest;
    // Compatibility assessments relied on (R22) are named too, though the policy registers them.
    for (const a of d.attributes)
      if (a.reason === 'compatibility-assessment' && a.outcome !== 'withhold') evidence.indexOf(a.evidenceId);
  }
  const u = facts.undeclared;
  // Optional parts only when present, in a fixed order, so equal decisions serialise to equal bytes.
  return {
    lineageVersion: LINEAGE_VERSION,
    kind: 'decision',
    policyVersion: policy.version,
    eventId: facts.eventId,
    subject: facts.subject,
    time: facts.time,
    source: facts.source,
    type: facts.type,
    paths: facts.paths,
    ...(u.total > 0 ? { undeclared: { listed: u.listed, total: u.total } } : {}),
    ...(evidence.ids.length > 0 ? { evidence: evidence.ids } : {}),
    ...(bases !== undefined ? { bases } : {}),
    destinations,
  };
}
