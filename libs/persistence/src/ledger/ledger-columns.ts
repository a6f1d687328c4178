import type { LedgerAnchor, LedgerRow } from './ledger-row';

/** Row field → column, in insert order (the migration's names). */
export const ENTRY_COLUMNS: readonly (readonly [keyof LedgerRow, string])[] = [
  ['seq', 'seq'],
  ['subject', 'subject'],
  ['subjectPrevSeq', 'subject_prev_seq'],
  ['subjectPrevHash', 'subject_prev_hash'],
  ['sourceTopic', 'source_topic'],
  ['sourcePartition', 'source_partition'],
  ['sourceOffset', 'source_offset'],
  ['eventId', 'event_id'],
  ['eventTime', 'event_time'],
  ['outcome', 'outcome'],
  ['evidenceId', 'evidence_id'],
  ['evidenceKind', 'evidence_kind'],
  ['evidenceTime', 'evidence_time'],
  ['valid', 'valid'],
  ['rule', 'rule'],
  ['reason', 'reason'],
  ['purposes', 'purposes'],
  ['formVersion', 'form_version'],
  ['confirms', 'confirms'],
  ['textVersion', 'text_version'],
  ['textHash', 'text_hash'],
  ['unreadable', 'unreadable'],
  ['refusalCode', 'refusal_code'],
  ['evidence', 'evidence'],
  ['sealed', 'sealed'],
  ['contentDigest', 'content_digest'],
  ['policyVersion', 'policy_version'],
  ['hash', 'hash'],
];

/** `select` list giving a row's fields under their TypeScript names (bigints as text). */
export function entrySelect(alias: string): string {
  return ENTRY_COLUMNS.map(([field, column]) =>
    column === 'seq' || column === 'subject_prev_seq' || column === 'source_offset'
      ? `${alias}.${column}::text as "${field}"`
      : `${alias}.${column} as "${field}"`,
  ).join(', ');
}

export const ANCHOR_SELECT =
  'anchor_index::text as "anchorIndex", first_seq::text as "firstSeq", last_seq::text as "lastSeq", ' +
  'previous_hash as "previousHash", rows_digest as "rowsDigest", hash';

/** A row as read (pg gives every selected column; nothing to convert). */
export function rowFromDb(r: Record<string, unknown>): LedgerRow {
  return r as unknown as LedgerRow;
}

export function anchorFromDb(r: Record<string, unknown>): LedgerAnchor {
  return r as unknown as LedgerAnchor;
}
