import type { EvidenceEventAssessment } from '@app/policy';
import { canonicalJson } from './canonical-json';
import { splitEvidence } from './evidence-split';
import {
  anchorHash,
  type LedgerAnchor,
  type LedgerRow,
  type LedgerRowContent,
  rowHash,
  RowsDigest,
} from './ledger-row';

/** One consumed record to append, assessed by the core. */
export interface LedgerInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly assessment: EvidenceEventAssessment;
  /** The subject's keyed pseudonym (assessed records); null for refused ones. */
  readonly subject: string | null;
  /** `sha256:<hex>` of the record's value bytes. */
  readonly valueDigest: string;
  /** The hash of the text the policy declares for the evidence's form version, if any. */
  readonly textHash: string | null;
  readonly policyVersion: string;
}

/** Where the ledger ends before a batch: its last row and last anchor. */
export interface ChainHead {
  readonly lastSeq: bigint;
  readonly lastAnchorIndex: bigint;
  readonly lastAnchorHash: string | null;
}

/** A subject's last row so far. */
export interface SubjectHead {
  readonly seq: string;
  readonly hash: string;
}

/** Seals a subject's identifying content (canonical JSON) under its own key. */
export type SealFor = (subject: string, text: string) => string;

/**
 * The rows and the anchor of one batch, chained onto `head` and each subject's last row. Pure but
 * for `sealFor` (encryption draws a random IV). `subjectHeads` is updated as rows are added.
 */
export function buildLedgerBatch(
  head: ChainHead,
  subjectHeads: Map<string, SubjectHead>,
  inputs: readonly LedgerInput[],
  sealFor: SealFor,
): { rows: LedgerRow[]; anchor: LedgerAnchor } {
  if (inputs.length === 0) throw new Error('ledger batch: nothing to append');
  const rows: LedgerRow[] = [];
  const digest = new RowsDigest();
  let seq = head.lastSeq;
  for (const input of inputs) {
    seq += 1n;
    const previous = input.subject === null ? undefined : subjectHeads.get(input.subject);
    const content: LedgerRowContent = storable({
      seq: seq.toString(),
      subject: input.subject,
      subjectPrevSeq: previous?.seq ?? null,
      subjectPrevHash: previous?.hash ?? null,
      sourceTopic: input.topic,
      sourcePartition: input.partition,
      sourceOffset: input.offset,
      policyVersion: input.policyVersion,
      ...assessedFields(input, sealFor),
    });
    const row: LedgerRow = { ...content, hash: rowHash(content) };
    rows.push(row);
    digest.add(row.hash);
    if (input.subject !== null) subjectHeads.set(input.subject, { seq: row.seq, hash: row.hash });
  }
  const unsigned = {
    anchorIndex: (head.lastAnchorIndex + 1n).toString(),
    firstSeq: (head.lastSeq + 1n).toString(),
    lastSeq: seq.toString(),
    previousHash: head.lastAnchorHash,
    rowsDigest: digest.digest(),
  };
  return { rows, anchor: { ...unsigned, hash: anchorHash(unsigned) } };
}

type AssessedFields = Omit<
  LedgerRowContent,
  | 'seq'
  | 'subject'
  | 'subjectPrevSeq'
  | 'subjectPrevHash'
  | 'sourceTopic'
  | 'sourcePartition'
  | 'sourceOffset'
  | 'policyVersion'
>;

function assessedFields(input: LedgerInput, sealFor: SealFor): AssessedFields {
  const a = input.assessment;
  if (a.outcome === 'refused')
    return {
      eventId: a.eventId,
      eventTime: null,
      outcome: 'refused',
      evidenceId: null,
      evidenceKind: null,
      evidenceTime: null,
      valid: null,
      rule: null,
      reason: a.reason,
      purposes: null,
      formVersion: null,
      confirms: null,
      textVersion: null,
      textHash: null,
      unreadable: null,
      refusalCode: a.code,
      evidence: null,
      sealed: null,
      contentDigest: input.valueDigest,
    };
  const { open, identifying } = splitEvidence(a.evidence);
  const f = a.facts;
  return {
    eventId: a.eventId,
    eventTime: a.eventTime,
    outcome: 'assessed',
    evidenceId: f.evidenceId,
    evidenceKind: f.evidenceKind,
    evidenceTime: a.evidence.timestamp,
    valid: f.valid,
    rule: f.rule,
    reason: f.reason,
    purposes: canonicalJson(f.purposes),
    formVersion: f.formVersion ?? null,
    confirms: f.confirms ?? null,
    textVersion: a.evidence.textVersion ?? null,
    textHash: f.formVersion === undefined ? null : input.textHash,
    unreadable: a.unreadable,
    refusalCode: null,
    evidence: canonicalJson(open),
    sealed:
      identifying === null || input.subject === null
        ? null
        : sealFor(input.subject, canonicalJson(identifying)),
    // No digest of the bytes: with the open part, it would confirm a guessed identifier after erasure.
    contentDigest: null,
  };
}

/** NUL, and UTF-16 surrogates without their pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const NOT_STORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The content with every string made storable as PostgreSQL text, before it is hashed: NUL cannot
 * be stored at all (the insert would fail on every retry and stall the partition), and a lone
 * surrogate would be stored as U+FFFD and then no longer hash the same. Both become U+FFFD here,
 * so the stored row is exactly the hashed one. Only input-derived ids and reasons can hold them;
 * the canonical JSON fields are escaped and never change.
 */
function storable(content: LedgerRowContent): LedgerRowContent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(content))
    out[k] = typeof v === 'string' ? v.replace(NOT_STORABLE, '\ufffd') : v;
  return out as unknown as LedgerRowContent;
}
