import type { KeyObject } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import type { PseudonymKeyring } from '@app/policy';
import { buildLedgerBatch, type ChainHead, type LedgerInput, type SubjectHead } from './ledger-batch.builder';
import { ENTRY_COLUMNS } from './ledger-columns';
import type { LedgerRow } from './ledger-row';
import { newSubjectKey, sealForSubject, unwrapSubjectKey } from './subject-seal';

/** Serialises every writer of the ledger (any instance, any partition) inside its transaction. */
const LEDGER_LOCK = 7_465_400_016;

/** One consumed batch of one topic-partition: the records, and where consumption continues. */
export interface LedgerBatch {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly partition: number;
  /** In offset order. Records below the stored next offset are skipped (already in the ledger). */
  readonly inputs: readonly LedgerInput[];
  /** The offset after the batch's last record (kafka's next position). */
  readonly nextOffset: string;
}

export interface AppendOutcome {
  /** Rows written (records already in the ledger are not written again). */
  readonly appended: number;
  readonly lastSeq: string | null;
}

/**
 * Appends batches to the consent ledger, exactly once without Kafka transactions: the rows, their
 * anchor and the consumed offset commit in one PostgreSQL transaction. Inside it, the stored
 * offset is read under a lock and records before it are dropped, so a batch consumed twice
 * (after a crash before the commit was acknowledged, or by an instance that lost its partition
 * and has not noticed yet) adds nothing the second time. A unique index on (topic, partition,
 * offset) backs this up.
 */
export class LedgerWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: PseudonymKeyring,
    /** Test hook: runs inside the open transaction, after the rows are inserted, before commit. */
    private readonly beforeCommit?: (appended: number) => Promise<void>,
  ) {}

  async append(batch: LedgerBatch): Promise<AppendOutcome> {
    const q = this.dataSource.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction('READ COMMITTED');
      try {
        const outcome = await this.appendIn(q, batch);
        await q.commitTransaction();
        return outcome;
      } catch (error) {
        if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await q.release();
    }
  }

  /** Where consumption of each partition of `topic` continues, as the ledger committed it. */
  async storedOffsets(consumerGroup: string, topic: string): Promise<Map<number, string>> {
    const rows = (await this.dataSource.query(
      'select partition, next_offset::text as "nextOffset" from consent_ledger_offset where consumer_group = $1 and topic = $2',
      [consumerGroup, topic],
    )) as { partition: number; nextOffset: string }[];
    return new Map(rows.map((r) => [r.partition, r.nextOffset]));
  }

  private async appendIn(q: QueryRunner, batch: LedgerBatch): Promise<AppendOutcome> {
    await q.query('select pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
    const stored = (await q.query(
      'select next_offset::text as "nextOffset" from consent_ledger_offset where consumer_group = $1 and topic = $2 and partition = $3',
      [batch.consumerGroup, batch.topic, batch.partition],
    )) as { nextOffset: string }[];
    const from = stored.length === 0 ? -1n : BigInt(stored[0]!.nextOffset);
    const inputs = batch.inputs.filter((i) => BigInt(i.offset) >= from);
    if (BigInt(batch.nextOffset) <= from) return { appended: 0, lastSeq: null };
    let lastSeq: string | null = null;
    if (inputs.length > 0) {
      const head = await this.head(q);
      const subjects = [...new Set(inputs.map((i) => i.subject).filter((s): s is string => s !== null))];
      const subjectHeads = await this.subjectHeads(q, subjects);
      const keys = await this.subjectKeys(q, subjects);
      const { rows, anchor } = buildLedgerBatch(head, subjectHeads, inputs, (subject, text) => {
        const key = keys.get(subject);
        if (key === undefined) throw new Error('ledger: no data key for a subject of the batch');
        return sealForSubject(key, subject, text);
      });
      for (let i = 0; i < rows.length; i += 500) await this.insertRows(q, rows.slice(i, i + 500));
      await q.query(
        'insert into consent_ledger_anchor (anchor_index, first_seq, last_seq, previous_hash, rows_digest, hash) values ($1, $2, $3, $4, $5, $6)',
        [
          anchor.anchorIndex,
          anchor.firstSeq,
          anchor.lastSeq,
          anchor.previousHash,
          anchor.rowsDigest,
          anchor.hash,
        ],
      );
      lastSeq = anchor.lastSeq;
    }
    await q.query(
      `insert into consent_ledger_offset (consumer_group, topic, partition, next_offset) values ($1, $2, $3, $4)
       on conflict (consumer_group, topic, partition) do update set next_offset = excluded.next_offset`,
      [batch.consumerGroup, batch.topic, batch.partition, batch.nextOffset],
    );
    await this.beforeCommit?.(inputs.length);
    return { appended: inputs.length, lastSeq };
  }

  private async head(q: QueryRunner): Promise<ChainHead> {
    const last = (await q.query('select max(seq)::text as seq from consent_ledger_entry')) as {
      seq: string | null;
    }[];
    const lastSeq = last[0]?.seq ?? null;
    const anchor = (await q.query(
      'select a.anchor_index::text as "anchorIndex", a.hash from consent_ledger_anchor a order by a.anchor_index desc limit 1',
    )) as { anchorIndex: string; hash: string }[];
    return {
      lastSeq: lastSeq === null ? 0n : BigInt(lastSeq),
      lastAnchorIndex: anchor.length === 0 ? 0n : BigInt(anchor[0]!.anchorIndex),
      lastAnchorHash: anchor[0]?.hash ?? null,
    };
  }

  private async subjectHeads(q: QueryRunner, subjects: string[]): Promise<Map<string, SubjectHead>> {
    if (subjects.length === 0) return new Map();
    const rows = (await q.query(
      `select distinct on (e.subject) e.subject, e.seq::text as seq, e.hash from consent_ledger_entry e
       where e.subject = any($1) order by e.subject, e.seq desc`,
      [subjects],
    )) as { subject: string; seq: string; hash: string }[];
    return new Map(rows.map((r) => [r.subject, { seq: r.seq, hash: r.hash }]));
  }

  /** Each subject's data key, creating (and storing, wrapped) the missing ones. */
  private async subjectKeys(q: QueryRunner, subjects: string[]): Promise<Map<string, KeyObject>> {
    const keys = new Map<string, KeyObject>();
    if (subjects.length === 0) return keys;
    const stored = (await q.query(
      'select subject, wrap_key_id as "wrapKeyId", wrapped_key as "wrappedKey" from consent_subject_key where subject = any($1)',
      [subjects],
    )) as { subject: string; wrapKeyId: string; wrappedKey: string }[];
    for (const s of stored) keys.set(s.subject, unwrapSubjectKey(this.keyring, s));
    const params: string[] = [];
    for (const subject of subjects) {
      if (keys.has(subject)) continue;
      const { wrapped, key } = newSubjectKey(this.keyring, subject);
      params.push(wrapped.subject, wrapped.wrapKeyId, wrapped.wrappedKey);
      keys.set(subject, key);
    }
    // One insert for the batch's new subjects (3 parameters each, far below PostgreSQL's limit).
    if (params.length > 0) {
      const tuples = Array.from(
        { length: params.length / 3 },
        (_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`,
      );
      await q.query(
        `insert into consent_subject_key (subject, wrap_key_id, wrapped_key) values ${tuples.join(', ')}`,
        params,
      );
    }
    return keys;
  }

  private async insertRows(q: QueryRunner, rows: readonly LedgerRow[]): Promise<void> {
    const width = ENTRY_COLUMNS.length;
    const params: unknown[] = [];
    const tuples = rows.map((row, r) => {
      for (const [field] of ENTRY_COLUMNS) params.push(row[field]);
      return `(${ENTRY_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(', ')})`;
    });
    await q.query(
      `insert into consent_ledger_entry (${ENTRY_COLUMNS.map(([, c]) => c).join(', ')}) values ${tuples.join(', ')}`,
      params,
    );
  }
}
