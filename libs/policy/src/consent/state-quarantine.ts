import type { SubjectState } from './consent-state.types';

/**
 * What `exportState` gives for a quarantined subject: a subject whose stored state could not be
 * restored (not a valid consent state). It holds no values, only the fact. Importing it (a handover
 * to another task, or the changelog record written from it) keeps the subject quarantined, so a
 * move between tasks or a restart never turns the unknown state into a fresh one.
 */
export interface QuarantinedState {
  readonly quarantined: 'corrupt-state';
}

/** What `exportState` gives: a subject's state, its quarantine marker, or null if unknown. */
export type ExportedState = SubjectState | QuarantinedState;

/**
 * What `importState` did. `restored`: a valid state or a tombstone, which also lifts a quarantine.
 * `quarantined`: the value was not a valid state, and the subject is quarantined now (the caller
 * reports the corrupt record). `carried`: a quarantine marker, kept (it was reported where found).
 */
export type ImportOutcome = 'restored' | 'quarantined' | 'carried';

/** The marker of a quarantined subject. */
export const QUARANTINED: QuarantinedState = Object.freeze({ quarantined: 'corrupt-state' });

/** True for a quarantine marker (as exported, or read back from JSON). */
export function isQuarantinedState(value: unknown): value is QuarantinedState {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<QuarantinedState>).quarantined === 'corrupt-state'
  );
}

/** The reason of the dead letter of an event about a quarantined subject (no values). */
export const QUARANTINE_REASON =
  "the subject's stored consent state could not be restored; nothing is decided for it until a valid state or a tombstone replaces it";
