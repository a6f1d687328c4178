/** Kafka headers every governed record carries so the auditor API can resolve the decision. */
export interface GovernedRecordHeaders {
  readonly 'policy-version': string;
  readonly 'decision-id': string;
  readonly 'record-kind': 'data' | 'suppression' | 'suppression-state';
  readonly 'event-id': string;
  readonly [name: string]: string;
}

/** For e-mail destinations: may the person be contacted, and may opens/clicks be tracked. */
export interface ContactPermission {
  readonly mayContact: boolean;
  readonly trackOpens: boolean;
  /** 'consent' (R14) or 'soft-opt-in' (R15) when mayContact is true. */
  readonly basis: 'consent' | 'soft-opt-in' | null;
  readonly evidenceId: string | null;
  readonly rule: string;
}

/** The value of a data record on a destination topic: only the permitted fields. */
export interface GovernedDataValue {
  readonly kind: 'data';
  readonly eventId: string;
  readonly subject: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
  readonly contact?: ContactPermission;
}

/**
 * The value of a suppression record: tells the destination to stop using the person for the
 * listed purposes (the e-mail tool stops mailing, the segmentation tool drops the person).
 */
export interface SuppressionValue {
  readonly kind: 'suppression';
  readonly eventId: string;
  readonly subject: string;
  readonly time: string;
  readonly purposes: readonly string[];
  readonly reason: 'consent-withdrawn' | 'objection';
  readonly rule: string;
  readonly evidenceId: string;
}

/** One record to produce on a destination topic. */
export interface GovernedRecord {
  readonly destination: string;
  readonly topic: string;
  readonly key: string;
  readonly value: GovernedDataValue | SuppressionValue;
  readonly headers: GovernedRecordHeaders;
}

/**
 * The value of a record on a destination's compacted suppression topic (key: the subject's key for
 * that destination): every purpose the subject is currently suppressed for there (R18, R19), the
 * union of the suppressions sent, less the purposes a later valid consent granted again. Written
 * whenever that set changes; a tombstone (null value) once it is empty.
 */
export interface SuppressionStateValue {
  readonly kind: 'suppression-state';
  readonly subject: string;
  /** Sorted; never empty (an empty set is a tombstone). */
  readonly purposes: readonly string[];
  /** The event and evidence that last changed the set, and the evidence time. */
  readonly eventId: string;
  readonly evidenceId: string;
  readonly time: string;
}

/** One record to produce on a destination's compacted suppression topic. */
export interface SuppressionStateRecord {
  readonly destination: string;
  readonly key: string;
  /** Null: nothing suppressed any more (a tombstone). */
  readonly value: SuppressionStateValue | null;
  readonly headers: GovernedRecordHeaders;
}
