import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { assessEvidence, type EvidenceAssessment } from '../consent/consent-evidence.assessor';
import { foldEvidence, type FoldOutcome } from '../consent/consent-state.fold';
import type { SubjectState } from '../consent/consent-state.types';
import { purposeStatus, type PurposeStatus } from '../consent/purpose-status';
import { decideDestination, type DestinationDecision } from '../decision/destination-decision';
import { type WalkedPayload, walkPayload } from '../decision/payload.walker';
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
  readonly statuses: ReadonlyMap<Purpose, PurposeStatus>;
}

/** Stage 3 for a source event: every destination's decision, as of the event time `t`. */
export function decideSource(
  policy: CompiledPolicy,
  spec: EventTypeSpec,
  data: unknown,
  state: SubjectState,
  t: number,
): SourceDecisions {
  const walked = walkPayload(spec.tree, data);
  const statuses = new Map<Purpose, PurposeStatus>();
  const statusOf = (purpose: Purpose): PurposeStatus => {
    let s = statuses.get(purpose);
    if (s === undefined) {
      s = purposeStatus(policy, state, purpose, t);
      statuses.set(purpose, s);
    }
    return s;
  };
  const decisions = policy.destinations.map((d) =>
    decideDestination(policy, state, spec.key, walked, d, t, statusOf),
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
  return { assessment, fold, suppressions };
}

/**
 * R18/R19: the destination's purposes that relied on what the fold took away: withdrawn purposes,
 * direct marketing after an objection, and the consent-based or direct-marketing purposes of a
 * destination whose marketing permission was removed.
 */
function affectedPurposes(policy: CompiledPolicy, d: Destination, fold: FoldOutcome): string[] {
  const out = new Set<string>();
  for (const p of fold.removedPurposes) if (d.purposeKeys.has(p)) out.add(p);
  if (fold.objection) for (const p of d.purposes) if (p.directMarketing) out.add(p.key);
  const m = d.marketing;
  if (
    m !== null &&
    fold.removedMarketing.some((g) => g.brands.includes(m.brand) && g.channels.includes(m.channel))
  ) {
    for (const p of d.purposes)
      if (p.directMarketing || policy.purposes.get(p.key)?.legalBasis === 'consent') out.add(p.key);
  }
  return [...out].sort();
}
