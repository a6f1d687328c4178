import { anchorHash, type LedgerAnchor, type LedgerRow, rowHash, RowsDigest } from './ledger-row';

/** What broke, on the first row (or anchor) where the chain does not hold. */
export type LedgerBreakProblem = 'content-hash' | 'link' | 'anchor' | 'missing-sequence';

export interface LedgerBreak {
  /** The row's id (its sequence number); for a missing row, the number expected there. */
  readonly seq: string | null;
  /** The anchor concerned, when the break is an anchor's. */
  readonly anchorIndex: string | null;
  readonly problem: LedgerBreakProblem;
  /** What exactly failed, in words; ids and hashes of the ledger only, never content. */
  readonly detail: string;
}

export interface LedgerVerification {
  readonly ok: boolean;
  readonly rowsChecked: number;
  readonly anchorsChecked: number;
  /** The last anchor's hash: keep it elsewhere to detect a later removal of the ledger's tail. */
  readonly headAnchorHash: string | null;
  readonly lastSeq: string | null;
  readonly firstBreak: LedgerBreak | null;
}

/** A row with the row its subject link points to, as read by a self-join (null: no such row). */
export interface RowWithPrevious {
  readonly row: LedgerRow;
  readonly previous: { readonly seq: string; readonly subject: string | null; readonly hash: string } | null;
}

/**
 * Checks the whole ledger in one pass over its rows (in sequence) and anchors (in index order),
 * holding one row and one anchor at a time: memory does not grow with the ledger. Stops at the
 * first break and names it. Checks, per row: the sequence has no gap; the content hashes to the
 * stored hash; the subject link points to an earlier row of the same subject whose hash it
 * names; the row lies in the next anchor, which covers the rows since the previous anchor, chains
 * to it and hashes right. Rows past the last anchor, or an anchor past the last row, break it.
 */
export async function verifyLedgerChain(
  rows: AsyncIterable<RowWithPrevious>,
  anchors: AsyncIterable<LedgerAnchor>,
): Promise<LedgerVerification> {
  const anchorIt = anchors[Symbol.asyncIterator]();
  let rowsChecked = 0;
  let anchorsChecked = 0;
  let expectedSeq = 1n;
  let previousAnchor: LedgerAnchor | null = null;
  let anchor: LedgerAnchor | null = null;
  let digest = new RowsDigest();
  const result = (firstBreak: LedgerBreak | null): LedgerVerification => ({
    ok: firstBreak === null,
    rowsChecked,
    anchorsChecked,
    headAnchorHash: previousAnchor?.hash ?? null,
    lastSeq: expectedSeq > 1n ? (expectedSeq - 1n).toString() : null,
    firstBreak,
  });
  const broken = (
    seq: string | null,
    problem: LedgerBreakProblem,
    detail: string,
    anchorIndex: string | null = null,
  ): LedgerVerification => result({ seq, anchorIndex, problem, detail });

  for await (const { row, previous } of rows) {
    const seq = BigInt(row.seq);
    if (seq !== expectedSeq)
      return broken(
        expectedSeq.toString(),
        'missing-sequence',
        `row ${expectedSeq} is missing (next row is ${row.seq})`,
      );
    if (rowHash(row) !== row.hash)
      return broken(row.seq, 'content-hash', 'the row content does not match its hash');
    const link = checkLink(row, previous);
    if (link !== null) return broken(row.seq, 'link', link);
    if (anchor === null) {
      const next = await anchorIt.next();
      if (next.done === true) return broken(row.seq, 'anchor', 'the row is not covered by any anchor');
      anchor = next.value;
      const expectedIndex = previousAnchor === null ? 1n : BigInt(previousAnchor.anchorIndex) + 1n;
      if (BigInt(anchor.anchorIndex) !== expectedIndex)
        return broken(row.seq, 'anchor', `anchor ${expectedIndex} is missing`, expectedIndex.toString());
      if (anchor.firstSeq !== row.seq)
        return broken(row.seq, 'anchor', 'the anchor does not start at this row', anchor.anchorIndex);
      digest = new RowsDigest();
    }
    digest.add(row.hash);
    rowsChecked++;
    expectedSeq = seq + 1n;
    if (anchor.lastSeq === row.seq) {
      // An anchor cannot tell which of its rows changed: the break names the first it covers.
      const anchorBreak = checkAnchor(anchor, previousAnchor, digest.digest());
      if (anchorBreak !== null)
        return broken(
          anchor.firstSeq,
          'anchor',
          `${anchorBreak} (rows ${anchor.firstSeq} to ${anchor.lastSeq})`,
          anchor.anchorIndex,
        );
      anchorsChecked++;
      previousAnchor = anchor;
      anchor = null;
    }
  }
  if (anchor !== null)
    return broken(
      expectedSeq.toString(),
      'missing-sequence',
      `rows ${expectedSeq} to ${anchor.lastSeq} are missing`,
      anchor.anchorIndex,
    );
  const extra = await anchorIt.next();
  if (extra.done !== true)
    return broken(
      expectedSeq.toString(),
      'missing-sequence',
      `anchor ${extra.value.anchorIndex} covers rows ${extra.value.firstSeq} to ${extra.value.lastSeq}, which are missing`,
      extra.value.anchorIndex,
    );
  return result(null);
}

function checkLink(row: LedgerRow, previous: RowWithPrevious['previous']): string | null {
  if (row.subjectPrevSeq === null)
    return row.subjectPrevHash === null ? null : 'a previous hash without a previous row';
  if (row.subject === null) return 'a subject link on a row without a subject';
  if (previous === null) return `the subject's previous row ${row.subjectPrevSeq} is missing`;
  if (BigInt(previous.seq) >= BigInt(row.seq)) return "the subject's previous row is not earlier";
  if (previous.subject !== row.subject) return "the previous row is another subject's";
  if (previous.hash !== row.subjectPrevHash) return "the previous row's hash differs from the one linked";
  return null;
}

function checkAnchor(anchor: LedgerAnchor, previous: LedgerAnchor | null, rowsDigest: string): string | null {
  if (anchor.previousHash !== (previous?.hash ?? null))
    return 'the anchor does not chain to the previous anchor';
  if (anchor.rowsDigest !== rowsDigest) return "the anchor's rows digest differs from its rows' hashes";
  if (anchorHash(anchor) !== anchor.hash) return 'the anchor does not match its hash';
  return null;
}
