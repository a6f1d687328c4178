import type { LineageRecord } from '@app/contracts';

/**
 * A lineage record as the store holds it, with its place in the log. `position` orders records as
 * the sink read them (per subject this is the order the engine decided in) and is what cursors carry.
 */
export interface StoredLineage {
  readonly position: string;
  readonly record: LineageRecord;
}

/** A bounded, ordered slice: records after `after` (a position), at most `limit`. */
export interface Slice {
  readonly after?: string;
  readonly limit: number;
}

/**
 * What the auditor API reads from the lineage store. Every method is one indexed query; none takes
 * SQL text from a caller. Implemented over the sink's tables by `StoreLineageReader`.
 */
export interface LineageReader {
  /** Records of these subject pseudonyms (and identity links naming one as alias), in log order. */
  subjectRecords(
    subjects: readonly string[],
    slice: Slice & { readonly from?: string; readonly to?: string },
  ): Promise<StoredLineage[]>;
  /** Pseudonyms joined to these by an accepted identity link, either way round (one hop). */
  linkedSubjects(subjects: readonly string[]): Promise<string[]>;
  /** Every record of one event (its decision or assessment, identity links, suppressions, dead letter). */
  eventRecords(eventId: string): Promise<StoredLineage[]>;
  /**
   * Consent assessments of these evidence ids, and the confirmations of them, in log order; with
   * `before`, only those written before that position.
   */
  assessments(evidenceIds: readonly string[], before?: string): Promise<StoredLineage[]>;
  /** Suppression records citing these evidence ids, in log order. */
  suppressionsCiting(evidenceIds: readonly string[]): Promise<StoredLineage[]>;
  /** The full text of a policy version, or null when the store has not seen it. */
  policyText(version: string): Promise<string | null>;
  /** The version the engine published last, or null before any. */
  latestPolicyVersion(): Promise<string | null>;
}
