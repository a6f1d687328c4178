import { type LineageRecord } from '@app/contracts';

/** Kinds a stored row can have: the lineage kinds, and `unreadable` for a record that was not one. */
export const STORED_KINDS = [
  'decision',
  'consent-assessment',
  'suppression',
  'identity-link',
  'dead-letter',
  'aggregate-count',
  'unreadable',
] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

/**
 * Why a record of the lineage topic is kept as an `unreadable` row (its coordinates only, never its
 * bytes): not JSON, JSON but not a lineage v2 record, a field longer than the store indexes, or
 * text PostgreSQL cannot hold (NUL, lone surrogates).
 */
export type UnreadableCode = 'not-json' | 'not-lineage-v2' | 'oversized-field' | 'unstorable-text';

/** Where a record was read from; unique per stored row, so replaying a topic stores nothing twice. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string: offsets are int64. */
  readonly offset: string;
}

/** A row of `audit_lineage` as the sink writes it. */
export interface LineageRowInput extends RecordCoordinates {
  /** The record's own time, else the Kafka record timestamp: a function of the coordinates. */
  readonly time: Date;
  readonly kind: StoredKind;
  readonly subject: string | null;
  readonly eventId: string | null;
  readonly policyVersion: string | null;
  readonly evidenceIds: readonly string[];
  readonly formVersion: string | null;
  /** Destinations a decision forwarded something to (its digest's `f` or `p`). */
  readonly forwardedTo: readonly string[];
  /** Identity link: the linked identifier's pseudonym. */
  readonly alias: string | null;
  /** Dead letter's code, or why the record is unreadable. */
  readonly code: string | null;
  /** The record itself (null for an unreadable one). */
  readonly record: LineageRecord | null;
  /** The record's JSON text as stored (null for an unreadable one). */
  readonly json: string | null;
}
