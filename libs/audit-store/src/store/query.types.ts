import { type LineageRecord } from '@app/contracts';
import { type RecordCoordinates, type StoredKind } from './lineage-row';

/** A stored lineage record with what the store derived from it. Values never: pseudonyms and ids. */
export interface LineageRow {
  /** RFC 3339, milliseconds: the record's time (the Kafka timestamp where it has none). */
  readonly time: string;
  readonly kind: StoredKind;
  readonly subject: string | null;
  readonly eventId: string | null;
  readonly policyVersion: string | null;
  readonly evidenceIds: readonly string[];
  readonly formVersion: string | null;
  /** Decision: destinations it forwarded something to. */
  readonly forwardedTo: readonly string[];
  /** Identity link: the linked identifier's pseudonym. */
  readonly alias: string | null;
  /** Dead letter's code, or why an `unreadable` row could not be read. */
  readonly code: string | null;
  /** The lineage record as written by the engine (null for `unreadable`). */
  readonly record: LineageRecord | null;
  readonly coordinates: RecordCoordinates;
}

/** One page of a listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface TimelineQuery {
  /** Lineage pseudonyms of one person (one per identifier and key id). */
  readonly subjects: readonly string[];
  readonly from?: Date | string;
  /** Exclusive. */
  readonly to?: Date | string;
  readonly kinds?: readonly StoredKind[];
  readonly cursor?: string;
  readonly limit?: number;
}

export interface PageQuery {
  readonly cursor?: string;
  readonly limit?: number;
}

/** The assessment of one piece of consent evidence and the records that cite it. */
export interface EvidenceReport {
  /** The `consent-assessment` record of the evidence id, or null when none is stored. */
  readonly assessment: LineageRow | null;
  /** Every other record naming the evidence id (decisions, confirmations, suppressions), in log order. */
  readonly citing: Page<LineageRow>;
}

/** Per destination: who was forwarded data (or contacted) relying on evidence of a form version. */
export interface RecallDestination {
  readonly destination: string;
  readonly subjects: number;
  readonly decisions: number;
  readonly first: string;
  readonly last: string;
}

export interface RecallSubject {
  readonly subject: string;
  /** Evidence of this person captured on the version. */
  readonly evidenceIds: readonly string[];
  readonly firstCaptured: string;
  /** Destinations that received data relying on that evidence, with how many decisions. */
  readonly destinations: readonly { readonly destination: string; readonly decisions: number }[];
}

/** Recall of a consent form or banner version (R4, R27). */
export interface RecallReport {
  readonly formVersion: string;
  /** Assessments stored for evidence captured on the version, and of how many subjects. */
  readonly evidence: number;
  readonly subjects: number;
  readonly perDestination: readonly RecallDestination[];
  /** The subjects, ordered by pseudonym. */
  readonly page: Page<RecallSubject>;
}

/** One figure of one UTC day. */
export interface DailyStat {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  /** `forwarded`, `withheld` (attributes), `suppression`, `dead-letter`, `unreadable`, `unrenderable`. */
  readonly metric: string;
  /** Empty where the figure has none (dead letters). */
  readonly destination: string;
  /** Withheld: the reason code; dead letters: their code; otherwise empty. */
  readonly reason: string;
  readonly count: number;
}

export interface StatsQuery {
  readonly from: Date | string;
  readonly to: Date | string;
  readonly destination?: string;
}

export interface DeadLetterQuery extends PageQuery {
  readonly code?: string;
  readonly from?: Date | string;
  readonly to?: Date | string;
}

export interface PolicyVersionRow {
  readonly policyVersion: string;
  readonly policyText: string;
  readonly firstSeenAt: string;
}

/** What the lineage holds about a person (Art. 15 and R29), across the given pseudonyms. */
export interface AccessExportData {
  /** Declared attribute paths seen per source, with the first and last time. */
  readonly pathsBySource: readonly {
    readonly source: string;
    readonly path: string;
    readonly first: string;
    readonly last: string;
    readonly events: number;
  }[];
  /** Destinations actually forwarded something to, with the first and last time. */
  readonly recipients: readonly {
    readonly destination: string;
    readonly first: string;
    readonly last: string;
    readonly decisions: number;
  }[];
  /** Consent assessments, suppressions and identity links, in log order (at most 5,000). */
  readonly consentHistory: readonly LineageRow[];
  readonly consentHistoryTruncated: boolean;
}
