import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import type { GovernedRecord } from '@app/contracts/governed-record.types';
import type { LineageRecord } from '@app/contracts/lineage-record.types';
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
  readonly lineage: LineageRecord[];
  readonly deadLetter?: { readonly code: DeadLetterCode; readonly reason: string };
  readonly stateChanges: StateChange[];
  /** For consent evidence: the assessment (read it, do not mutate it). */
  readonly assessment?: EvidenceAssessment;
  /** For source events: the per-destination decisions (used by `govern explain`). */
  readonly decisions?: readonly DestinationDecision[];
}
