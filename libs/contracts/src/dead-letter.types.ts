/**
 * Closed set of reasons an input is dead-lettered. Reasons name the path and the constraint that
 * failed, never the value (no personal data in dead letters).
 */
export const DEAD_LETTER_CODES = [
  'not-json',
  'oversized',
  'invalid-envelope',
  'unknown-source',
  'unknown-type',
  'schema-violation',
  'missing-subject',
  'duplicate-event',
  'invalid-evidence',
  'unexpected-evidence-source',
  // A source event read from a topic the policy declares for another source, or for consent evidence.
  'source-topic-mismatch',
  // The core threw on the record: the core itself turns an exception into this dead letter, and the
  // engine does too when a record keeps failing outside the core (after its retries).
  'internal-error',
  // Raised by the engine: the record's outputs would exceed what the broker accepts, or a subject's
  // stored state is unreadable.
  'output-too-large',
  'corrupt-state',
] as const;

/** One of {@link DEAD_LETTER_CODES}. */
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

/** Why an input could not be processed; safe to log (no values from the payload). */
export interface DeadLetterReason {
  readonly code: DeadLetterCode;
  readonly reason: string;
}

/** The dead-letter record: original bytes stay with the engine, this is the readable part. */
export interface DeadLetterRecord extends DeadLetterReason {
  readonly eventId: string | null;
  readonly policyVersion: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  /** Line number when the input came from a file (dry-run). */
  readonly line?: number;
}
