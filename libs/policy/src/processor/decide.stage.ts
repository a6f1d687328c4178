import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { assessEvidence, type EvidenceAssessment } from '../consent/consent-evidence.assessor';
import { foldEvidence, type FoldOutcome } from '../consent/consent-state.fold';
import type { MarketingGrant, SubjectState } from '../consent/consent-state.types';
import { addSuppressed, liftSuppressed } from '../consent/suppression-ledger';
import type { MergeStops } from './identifier-merge';
import { decideDestination, type DestinationDecision } from '../decision/destination-decision';
import { type WalkedPayload, walkPayload } from '../decision/payload.walker';
import { type ConsentHolders, useStatus, type UseStatus } from '../consent/use-status';
import type {
  CompiledPolicy,
  Destination,
  EventTypeSpec,
  Purpose,
} from '../policy-file/compiled-policy.types';

/** A source event decided for every destination. */
export interface SourceDecisions {
  /** The payload as walked once; `decisions[d].attributes[i]` decides `walked.present[i]`. */
  readonly walked: WalkedPayload;
  /** In policy destination order. */
  readonly decisions: DestinationDecision[];
  /**
   * Every purpose consulted for this event and what it said, once for all destinations: the
   * per-person facts the lineage digest stores (with the engagement-tracking purpose when a
   * destination may contact the person, as the evidence for open tracking, R23).
   */
  readonly statuses: ReadonlyMap<Purpose, UseStatus>;
}

/** Stage 3 for a source event: every destination's decision, as of the event time `t`. */
export function decideSource(
  policy: CompiledPolicy,
  spec: EventTypeSpec,
  data: unknown,
  holders: ConsentHolders,
  t: number,
): SourceDecisions {
  const walked = walkPayload(spec.tree, data);
  // One status per purpose and event, shared by the destinations (the same holders and time).
  const statuses = new Map<Purpose, UseStatus>();
  const statusOf = (purpose: Purpose): UseStatus => {
    let s = statuses.get(purpose);
    if (s === undefined) {
      s = useStatus(policy, holders, purpose, spec.requirements?.get(purpose.key), t);
      statuses.set(purpose, s);
    }
    return s;
  };
  const decisions = policy.destinations.map((d) =>
    decideDestination(policy, holders, spec, walked, d, t, statusOf),
  );
  const tracking = policy.options.engagementTrackingPurpose;
  const trackingPurpose = tracking === null ? undefined : policy.purposes.get(tracking);
  if (trackingPurpose !== undefined && decisions.some((d) => d.contact?.mayContact === true))
    statusOf(trackingPurpose);
  return { walked, decisions, statuses };
}

/** A destination that must be told to stop using what a withdrawal or objection took away. */
export interface Suppression {
  readonly destination: Destination;
  /** The affected purposes of the destination, sorted. */
  readonly purposes: string[];
}

/** A piece of consent evidence decided: its assessment, what it did to the state, who to tell. */
export interface EvidenceDecision {
  readonly assessment: EvidenceAssessment;
  readonly fold: FoldOutcome;
  readonly suppressions: Suppression[];
  /**
   * Destinations whose set of suppressed purposes (the subject's suppression ledger) changed, with
   * the set now (sorted; empty: nothing suppressed any more), in policy destination order.
   */
  readonly suppressed: Suppression[];
}

/**
 * Stage 3 for consent evidence: assesses it and folds it into the subject's state (mutates it).
 * `unreadable`: the evidence is the fail-closed reading of a withdrawal or objection that failed
 * the contract.
 */
export function decideEvidence(
  policy: CompiledPolicy,
  evidence: ConsentEvidence,
  state: SubjectState,
  at: number,
  unreadable = false,
): EvidenceDecision {
  const assessment = assessEvidence(policy, evidence, unreadable);
  const fold = foldEvidence(policy, state, assessment, at);
  // R18/R19: suppressions follow only from what a fold took away.
  const tookAway = fold.removedPurposes.length > 0 || fold.removedMarketing.length > 0 || fold.objection;
  const suppressions = !tookAway
    ? []
    : policy.destinations.flatMap((destination) => {
        const purposes = affectedPurposes(policy, destination, fold);
        return purposes.length === 0 ? [] : [{ destination, purposes }];
      });
  return { assessment, fold, suppressions, suppressed: updateLedger(policy, state, fold, suppressions) };
}

/** The suppressions a link's merged stops imply, and the ledger they changed (see {@link MergeStops}). */
export interface StopsDecision {
  readonly stops: MergeStops;
  readonly suppressions: Suppression[];
  readonly suppressed: Suppression[];
}

/**
 * R18/R19 at a declared identifier's link: the stops that came under the identifier took away what
 * the person's earlier grants permitted, so every destination that relied on it is told, exactly
 * as if the withdrawal or objection had come under the person's key (mutates the ledger). Null when
 * the stops took nothing away.
 */
export function decideStops(
  policy: CompiledPolicy,
  state: SubjectState,
  stops: MergeStops | undefined,
): StopsDecision | null {
  if (stops === undefined || stops.cited === null) return null;
  const fold: FoldOutcome = {
    removedPurposes: stops.removedPurposes,
    removedMarketing: stops.removedMarketing,
    objection: stops.objection,
    grantedPurposes: [],
    note: null,
  };
  const suppressions = policy.destinations.flatMap((destination) => {
    const purposes = affectedPurposes(policy, destination, fold);
    return purposes.length === 0 ? [] : [{ destination, purposes }];
  });
  if (suppressions.length === 0) return null;
  return { stops, suppressions, suppressed: updateLedger(policy, state, fold, suppressions) };
}

/**
 * The ledger after this evidence: purposes it granted (only valid evidence grants) lifted, then its
 * suppressions added. Why lift on a grant: the person allowed the purpose again, and the
 * destination receives data for it again; a suppression still listed would contradict the data.
 */
function updateLedger(
  policy: CompiledPolicy,
  state: SubjectState,
  fold: FoldOutcome,
  suppressions: readonly Suppression[],
): Suppression[] {
  const changed = new Set(liftSuppressed(state, fold.grantedPurposes));
  for (const s of suppressions)
    if (addSuppressed(state, s.destination.name, s.purposes)) changed.add(s.destination.name);
  if (changed.size === 0) return [];
  return policy.destinations
    .filter((d) => changed.has(d.name))
    .map((destination) => ({ destination, purposes: [...(state.suppressed[destination.name] ?? [])] }));
}

/**
 * R18/R19: the destination's purposes that relied on what the fold took away: withdrawn purposes,
 * purposes whose use required a withdrawn consent, direct marketing after an objection, and the consent-based or direct-marketing purposes of a
 * destination whose marketing permission was removed.
 */
function affectedPurposes(policy: CompiledPolicy, d: Destination, fold: FoldOutcome): string[] {
  const out = new Set<string>();
  for (const p of fold.removedPurposes) if (d.purposeKeys.has(p)) out.add(p);
  // A purpose whose use needs a removed consent (the device's cookie consent for web behaviour).
  for (const spec of policy.eventTypes.values())
    for (const [p, required] of spec.requirements ?? [])
      if (d.purposeKeys.has(p) && required.some((r) => fold.removedPurposes.includes(r.purpose.key)))
        out.add(p);
  if (fold.objection) for (const p of d.purposes) if (p.directMarketing) out.add(p.key);
  const m = d.marketing;
  // A removed permission concerns the destination when it covered its brand and channel and (a
  // consent) one of its product groups; a soft opt-in covers similar groups, so any one of it does.
  const concerns = (g: MarketingGrant): boolean =>
    m !== null &&
    g.brands.includes(m.brand) &&
    g.channels.includes(m.channel) &&
    (g.basis === 'soft-opt-in' ||
      g.productGroups.length === 0 ||
      m.productGroups.some((p) => g.productGroups.includes(p)));
  if (m !== null && fold.removedMarketing.some(concerns)) {
    for (const p of d.purposes)
      if (p.directMarketing || policy.purposes.get(p.key)?.legalBasis === 'consent') out.add(p.key);
  }
  return [...out].sort();
}

/**
 * Folds a banner choice or a withdrawal also into the own state of the device it was made on, when
 * that device is linked to a person (the person's state got it already). True when it was folded.
 */
export function foldIntoDevice(
  policy: CompiledPolicy,
  device: SubjectState,
  assessment: EvidenceAssessment,
  at: number,
): boolean {
  if (assessment.kind !== 'cookie-banner' && assessment.kind !== 'withdrawal') return false;
  foldEvidence(policy, device, assessment, at);
  return true;
}
