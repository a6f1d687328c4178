/** Kafka headers every governed record carries so the auditor API can resolve the decision. */
export interface GovernedRecordHeaders {
  readonly 'policy-version': string;
  readonly 'decision-id': string;
  readonly 'record-kind': 'data' | 'suppression';
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
