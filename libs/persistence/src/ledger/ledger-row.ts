import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * One row of the consent ledger as hashed and stored. Big integers are decimal text (as
 * PostgreSQL's bigint comes back), structured fields canonical JSON text, so that the hash is
 * over exactly the bytes stored.
 */
export interface LedgerRow {
  /** Global sequence: 1, 2, 3… without gaps, in append order. The row's id. */
  readonly seq: string;
  /** The subject's keyed pseudonym (never the clear key); null when the record named none. */
  readonly subject: string | null;
  /** The subject's previous row (seq and hash); null on its first. */
  readonly subjectPrevSeq: string | null;
  readonly subjectPrevHash: string | null;
  /** Where the record was read: the exactly-once key (unique). */
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  readonly sourceOffset: string;
  readonly eventId: string | null;
  /** The CloudEvent `time`: when the evidence was received. */
  readonly eventTime: string | null;
  /** `assessed`: evidence and its assessment; `refused`: what the engine dead-letters, and why. */
  readonly outcome: 'assessed' | 'refused';
  readonly evidenceId: string | null;
  readonly evidenceKind: string | null;
  readonly evidenceTime: string | null;
  readonly valid: boolean | null;
  readonly rule: string | null;
  /** The assessment's reason, or the refusal's: paths and constraints, never values. */
  readonly reason: string;
  /** Canonical JSON list of the purposes the evidence claimed (assessed rows). */
  readonly purposes: string | null;
  /** The form version, only when the policy registers it. */
  readonly formVersion: string | null;
  readonly confirms: string | null;
  /** The text hash the evidence says was shown (`textVersion`), as received. */
  readonly textVersion: string | null;
  /** The hash of the text the policy declares for the form version (points to `consent_text`). */
  readonly textHash: string | null;
  /** Set when a stop failed the contract and was honoured in its widest reading. */
  readonly unreadable: string | null;
  /** The dead-letter code of a refused record. */
  readonly refusalCode: string | null;
  /** Canonical JSON of the evidence without what could name a person (see evidence-split.ts). */
  readonly evidence: string | null;
  /** What could name a person, encrypted under the subject's own key (base64); null if nothing. */
  readonly sealed: string | null;
  /** `sha256:<hex>` of a refused record's value bytes: proves what came without keeping it. */
  readonly contentDigest: string | null;
  readonly policyVersion: string;
  /** `sha256:<hex>` of the canonical JSON of every field above. */
  readonly hash: string;
}

export type LedgerRowContent = Omit<LedgerRow, 'hash'>;

/** `sha256:` and the hex SHA-256 of the text. */
export function sha256Text(text: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Every hashed field of a row, in no particular order (canonical JSON sorts them). */
export const ROW_CONTENT_FIELDS = [
  'seq',
  'subject',
  'subjectPrevSeq',
  'subjectPrevHash',
  'sourceTopic',
  'sourcePartition',
  'sourceOffset',
  'eventId',
  'eventTime',
  'outcome',
  'evidenceId',
  'evidenceKind',
  'evidenceTime',
  'valid',
  'rule',
  'reason',
  'purposes',
  'formVersion',
  'confirms',
  'textVersion',
  'textHash',
  'unreadable',
  'refusalCode',
  'evidence',
  'sealed',
  'contentDigest',
  'policyVersion',
] as const satisfies readonly (keyof LedgerRowContent)[];

/**
 * The hash of a row's content. Every field but `hash` is in it, the subject's previous hash and
 * the sequence number included: an edit of any field, or a row moved to another place in the
 * sequence or the subject's chain, changes it. Fields are picked by name, so a row read back with
 * extra columns hashes the same.
 */
export function rowHash(content: LedgerRowContent): string {
  const picked: Record<string, unknown> = {};
  for (const field of ROW_CONTENT_FIELDS) picked[field] = content[field];
  return sha256Text(canonicalJson(picked));
}

/**
 * A periodic global anchor: one per appended batch, over the hashes of the rows it covers (in
 * sequence) and the previous anchor. Deleting, inserting or reordering rows breaks the anchor
 * even where each row and link still hashes right.
 */
export interface LedgerAnchor {
  /** 1, 2, 3… without gaps. */
  readonly anchorIndex: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly previousHash: string | null;
  /** `sha256:<hex>` over the covered rows' hashes, each followed by a newline, in sequence. */
  readonly rowsDigest: string;
  readonly hash: string;
}

/** The anchor's own hash over its fields (not its own `hash`). */
export function anchorHash(anchor: Omit<LedgerAnchor, 'hash'>): string {
  return sha256Text(
    canonicalJson({
      anchorIndex: anchor.anchorIndex,
      firstSeq: anchor.firstSeq,
      lastSeq: anchor.lastSeq,
      previousHash: anchor.previousHash,
      rowsDigest: anchor.rowsDigest,
    }),
  );
}

/** Accumulates row hashes into an anchor's `rowsDigest` (constant memory). */
export class RowsDigest {
  private readonly hasher = createHash('sha256');
  add(rowHashText: string): void {
    this.hasher.update(`${rowHashText}\n`);
  }
  digest(): string {
    return `sha256:${this.hasher.digest('hex')}`;
  }
}

/** Compile-time check that {@link ROW_CONTENT_FIELDS} names every hashed field. */
type Unhashed = Exclude<keyof LedgerRowContent, (typeof ROW_CONTENT_FIELDS)[number]>;
export const EVERY_FIELD_HASHED: [Unhashed] extends [never] ? true : never = true;
