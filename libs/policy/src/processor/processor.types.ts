import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import type { GovernedRecord, SuppressionStateRecord } from '@app/contracts/governed-record.types';
import type { LineageRecord } from '@app/contracts/lineage-record.types';
import type { AggregateContribution } from '../aggregate/contribution';
import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import type { SubjectState } from '../consent/consent-state.types';
import type { DestinationDecision } from '../decision/destination-decision';
import type { PseudonymKeyring } from '../decision/pseudonym-keys';

/** Options of the governance processor. */
export interface ProcessorOptions {
  /**
   * Secrets for keyed pseudonyms, by key id, and the active id. Come from the service's secret store,
   * never from the policy; `govern dry-run` without one uses the public demo keyring.
   */
  readonly pseudonymKeys: PseudonymKeyring;
}

/** Where the input came from; copied into dead letters. */
export interface InputContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly line?: number;
}

/** A changed per-subject state for the compacted changelog (key = subjectKey). */
export interface StateChange {
  readonly subjectKey: string;
  /** The live state object: serialise it before the next call, do not mutate it. */
  readonly state: SubjectState;
}

/**
 * Everything the engine must produce for one input event. No side effects happened: the caller
 * writes records, lineage and state changes (in one transaction, for the engine).
 */
export interface ProcessResult {
  readonly eventId: string | null;
  readonly outcome: 'consent' | 'source' | 'dead-letter';
  /** Resolved subject key (after identity links), or null for dead letters without one. */
  readonly subjectKey: string | null;
  readonly records: GovernedRecord[];
  /**
   * For consent evidence that changed a subject's suppressed purposes: the records of those
   * destinations' compacted suppression topics (the current set, or a tombstone). Absent if none.
   */
  readonly suppressionStates?: readonly SuppressionStateRecord[];
  readonly lineage: LineageRecord[];
  readonly deadLetter?: { readonly code: DeadLetterCode; readonly reason: string };
  readonly stateChanges: StateChange[];
  /**
   * Subject keys whose state expired and was forgotten after this event (state-expiry.ts): the
   * engine writes a tombstone for each to the changelog, after the state changes. Absent if none.
   */
  readonly expiredSubjects?: readonly string[];
  /** For consent evidence: the assessment (read it, do not mutate it). */
  readonly assessment?: EvidenceAssessment;
  /**
   * For source events: the full per-destination decisions (the engine's metrics count them; the
   * lineage stores their v2 digest, which `renderDecision` expands back to them).
   */
  readonly decisions?: readonly DestinationDecision[];
  /**
   * For a decided open or click: what it adds to each declared aggregate (R23's anonymous counts).
   * Counted by `AggregateCounter` (dry-run) or by the engine's counting tasks. Absent if none.
   */
  readonly contributions?: readonly AggregateContribution[];
}
