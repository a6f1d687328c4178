import type { DataSource } from 'typeorm';
import type { CompiledPolicy, PseudonymKeyring } from '@app/policy';
import { ANCHOR_SELECT, anchorFromDb, entrySelect, rowFromDb } from './ledger-columns';
import { type LedgerVerification, type RowWithPrevious, verifyLedgerChain } from './ledger-chain.verifier';
import { type LedgerAnchor, type LedgerRow, rowHash } from './ledger-row';
import { openForSubject, unwrapSubjectKey } from './subject-seal';

/** Rows read per query while verifying: memory holds one page, whatever the ledger's size. */
const PAGE = 1000;

/** Reading the consent ledger: verification, a subject's rows, the stored texts. */
export class LedgerReader {
  constructor(private readonly dataSource: DataSource) {}

  /** Verifies the whole chain, page by page (see verifyLedgerChain). */
  verify(): Promise<LedgerVerification> {
    return verifyLedgerChain(this.rowsWithPrevious(), this.anchors());
  }

  /** A subject's rows under any of its pseudonyms, in sequence. */
  async subjectRows(pseudonyms: readonly string[]): Promise<LedgerRow[]> {
    const rows = (await this.dataSource.query(
      `select ${entrySelect('e')} from consent_ledger_entry e where e.subject = any($1) order by e.seq`,
      [pseudonyms],
    )) as Record<string, unknown>[];
    return rows.map(rowFromDb);
  }

  /**
   * The identifying content sealed in a row (subject key, identifiers, URL, order id), opened with
   * the subject's data key; null when the row has none, and `shredded` when the subject's key was
   * destroyed (crypto-shredding). For the person's own access request and for erasure checks.
   */
  async openSealed(
    keyring: PseudonymKeyring,
    row: LedgerRow,
  ): Promise<Record<string, unknown> | null | 'shredded'> {
    if (row.sealed === null || row.subject === null) return null;
    const keys = (await this.dataSource.query(
      'select subject, wrap_key_id as "wrapKeyId", wrapped_key as "wrappedKey" from consent_subject_key where subject = $1',
      [row.subject],
    )) as { subject: string; wrapKeyId: string; wrappedKey: string }[];
    if (keys.length === 0) return 'shredded';
    const key = unwrapSubjectKey(keyring, keys[0]!);
    return JSON.parse(openForSubject(key, row.subject, row.sealed)) as Record<string, unknown>;
  }

  /** The stored text of a form version with that hash, or null. */
  async text(formVersion: string, textHash: string): Promise<string | null> {
    const rows = (await this.dataSource.query(
      'select text from consent_text where form_version = $1 and text_hash = $2',
      [formVersion, textHash],
    )) as { text: string }[];
    return rows[0]?.text ?? null;
  }

  private async *rowsWithPrevious(): AsyncGenerator<RowWithPrevious> {
    let after = '0';
    for (;;) {
      const page = (await this.dataSource.query(
        `select ${entrySelect('e')}, p.seq::text as "p_seq", p.subject as "p_subject", p.hash as "p_hash"
         from consent_ledger_entry e left join consent_ledger_entry p on p.seq = e.subject_prev_seq
         where e.seq > $1 order by e.seq limit ${PAGE}`,
        [after],
      )) as Record<string, unknown>[];
      for (const r of page) {
        const { p_seq, p_subject, p_hash, ...row } = r;
        yield {
          row: rowFromDb(row),
          previous:
            p_seq === null
              ? null
              : { seq: p_seq as string, subject: p_subject as string | null, hash: p_hash as string },
        };
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.seq as string;
    }
  }

  private async *anchors(): AsyncGenerator<LedgerAnchor> {
    let after = '0';
    for (;;) {
      const page = (await this.dataSource.query(
        `select ${ANCHOR_SELECT} from consent_ledger_anchor where anchor_index > $1 order by anchor_index limit ${PAGE}`,
        [after],
      )) as Record<string, unknown>[];
      for (const r of page) yield anchorFromDb(r);
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.anchorIndex as string;
    }
  }
}

/**
 * Checks one subject's own chain: every row hashes right and links to the one before it. What a
 * receipt states about its rows; the whole ledger's check (anchors, gaps) is `verify`.
 */
export function subjectChainHolds(rows: readonly LedgerRow[]): boolean {
  // Rows of one person under several pseudonyms (after a key rotation) are several chains.
  const last = new Map<string | null, LedgerRow>();
  for (const row of rows) {
    if (rowHash(row) !== row.hash) return false;
    const previous = last.get(row.subject);
    if (
      previous === undefined
        ? row.subjectPrevSeq !== null
        : row.subjectPrevSeq !== previous.seq || row.subjectPrevHash !== previous.hash
    )
      return false;
    last.set(row.subject, row);
  }
  return true;
}

/** Stores the text of every form version the policy declares one for (once per version and hash). */
export async function storeConsentTexts(dataSource: DataSource, policy: CompiledPolicy): Promise<number> {
  let stored = 0;
  for (const form of policy.forms.values()) {
    if (form.text === null || form.textHash === null) continue;
    const inserted = (await dataSource.query(
      `insert into consent_text (form_version, text_hash, text) values ($1, $2, $3)
       on conflict (form_version, text_hash) do nothing returning form_version`,
      [form.version, form.textHash, form.text],
    )) as unknown[];
    stored += inserted.length;
  }
  return stored;
}
