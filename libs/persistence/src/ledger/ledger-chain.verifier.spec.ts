import type { EvidenceEventAssessment } from '@app/policy';
import { buildLedgerBatch, type ChainHead, type LedgerInput, type SubjectHead } from './ledger-batch.builder';
import { type RowWithPrevious, verifyLedgerChain } from './ledger-chain.verifier';
import { anchorHash, type LedgerAnchor, type LedgerRow, rowHash, RowsDigest } from './ledger-row';

function assessed(n: number, subject: string): EvidenceEventAssessment {
  return {
    outcome: 'assessed',
    eventId: `e${n}`,
    subjectKey: subject,
    eventTime: '2025-03-01T10:00:00Z',
    evidence: {
      evidenceId: `ev${n}`,
      kind: 'cookie-banner',
      subject: { key: subject },
      timestamp: '2025-03-01T10:00:00Z',
      formVersion: 'banner-v1',
      purposes: ['cookie.statistics'],
    },
    facts: {
      evidenceId: `ev${n}`,
      evidenceKind: 'cookie-banner',
      valid: true,
      reason: 'ok',
      rule: 'R1',
      purposes: ['cookie.statistics'],
      formVersion: 'banner-v1',
    },
    unreadable: null,
  };
}

/** A ledger of `batches` batches of 3 rows over two subjects, and a refused record per batch. */
function ledger(batches: number): { rows: LedgerRow[]; anchors: LedgerAnchor[] } {
  const rows: LedgerRow[] = [];
  const anchors: LedgerAnchor[] = [];
  const heads = new Map<string, SubjectHead>();
  let head: ChainHead = { lastSeq: 0n, lastAnchorIndex: 0n, lastAnchorHash: null };
  let offset = 0;
  for (let b = 0; b < batches; b++) {
    const inputs: LedgerInput[] = ['p:a', 'p:b', null].map((subject) => ({
      topic: 'consent.evidence',
      partition: 0,
      offset: String(offset++),
      assessment:
        subject === null
          ? { outcome: 'refused', eventId: null, code: 'not-json', reason: 'value: not JSON' }
          : assessed(offset, subject),
      subject,
      valueDigest: 'sha256:00',
      textHash: 'sha256:11',
      policyVersion: 'v1',
    }));
    const built = buildLedgerBatch(head, heads, inputs, (_s, text) => `sealed(${text.length})`);
    rows.push(...built.rows);
    anchors.push(built.anchor);
    head = {
      lastSeq: BigInt(built.anchor.lastSeq),
      lastAnchorIndex: BigInt(built.anchor.anchorIndex),
      lastAnchorHash: built.anchor.hash,
    };
  }
  return { rows, anchors };
}

async function* withPrevious(rows: readonly LedgerRow[]): AsyncGenerator<RowWithPrevious> {
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  for (const row of rows) {
    const p = row.subjectPrevSeq === null ? undefined : bySeq.get(row.subjectPrevSeq);
    yield { row, previous: p === undefined ? null : { seq: p.seq, subject: p.subject, hash: p.hash } };
  }
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

const verify = (rows: readonly LedgerRow[], anchors: readonly LedgerAnchor[]) =>
  verifyLedgerChain(withPrevious(rows), each(anchors));

/** The row with a field changed and its own hash recomputed (a careful forger). */
const forged = (row: LedgerRow, change: Partial<LedgerRow>): LedgerRow => {
  const content = { ...row, ...change };
  return { ...content, hash: rowHash(content) };
};

/** Anchor 1 recomputed over `rows` (a forger who also rewrote the anchor). */
const reanchored = (rows: readonly LedgerRow[], previousHash: string | null): LedgerAnchor => {
  const digest = new RowsDigest();
  for (const r of rows) digest.add(r.hash);
  const unsigned = {
    anchorIndex: '1',
    firstSeq: rows[0]!.seq,
    lastSeq: rows[rows.length - 1]!.seq,
    previousHash,
    rowsDigest: digest.digest(),
  };
  return { ...unsigned, hash: anchorHash(unsigned) };
};

describe('the consent ledger chain', () => {
  it('verifies an untouched ledger, and reports its head', async () => {
    const { rows, anchors } = ledger(4);
    const result = await verify(rows, anchors);
    expect(result).toMatchObject({
      ok: true,
      rowsChecked: 12,
      anchorsChecked: 4,
      lastSeq: '12',
      firstBreak: null,
    });
    expect(result.headAnchorHash).toBe(anchors[3]!.hash);
    expect(rows[3]).toMatchObject({ subject: 'p:a', subjectPrevSeq: '1', subjectPrevHash: rows[0]!.hash });
    expect(rows[2]).toMatchObject({
      subject: null,
      subjectPrevSeq: null,
      outcome: 'refused',
      evidence: null,
    });
  });

  it('names an edited row by its content hash', async () => {
    const { rows, anchors } = ledger(3);
    rows[4] = { ...rows[4]!, valid: false };
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({ seq: '5', problem: 'content-hash' });
  });

  it("names the anchor's first row when an edited row was re-hashed", async () => {
    const { rows, anchors } = ledger(3);
    rows[1] = forged(rows[1]!, { purposes: '["cookie.marketing"]' });
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({
      seq: '1',
      problem: 'anchor',
      anchorIndex: '1',
    });
  });

  it("names the subject's next row when an edited row and its anchor were re-hashed", async () => {
    const { rows, anchors } = ledger(3);
    rows[0] = forged(rows[0]!, { purposes: '["cookie.marketing"]' });
    anchors[0] = reanchored(rows.slice(0, 3), null);
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({ seq: '4', problem: 'link' });
  });

  it('names the anchor (its first row) when a row was re-hashed with no later link', async () => {
    const { rows, anchors } = ledger(2);
    rows[5] = forged(rows[5]!, { reason: 'edited' });
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({
      seq: '4',
      problem: 'anchor',
      anchorIndex: '2',
    });
  });

  it('names a deleted row as a missing sequence number', async () => {
    const { rows, anchors } = ledger(3);
    rows.splice(4, 1);
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({ seq: '5', problem: 'missing-sequence' });
  });

  it('names removed rows at the end while their anchor stays', async () => {
    const { rows, anchors } = ledger(3);
    expect((await verify(rows.slice(0, 7), anchors)).firstBreak).toMatchObject({
      seq: '8',
      problem: 'missing-sequence',
      anchorIndex: '3',
    });
  });

  it('detects reordering: two rows swapped in the sequence', async () => {
    const { rows, anchors } = ledger(2);
    const [a, b] = [rows[1]!, rows[4]!];
    rows[1] = { ...b, seq: a.seq };
    rows[4] = { ...a, seq: b.seq };
    expect((await verify(rows, anchors)).firstBreak).toMatchObject({ seq: '2', problem: 'content-hash' });
  });

  it('names a row no anchor covers, and a deleted anchor', async () => {
    const { rows, anchors } = ledger(3);
    expect((await verify(rows, anchors.slice(0, 2))).firstBreak).toMatchObject({
      seq: '7',
      problem: 'anchor',
    });
    expect((await verify(rows, [anchors[0]!, anchors[2]!])).firstBreak).toMatchObject({
      seq: '4',
      problem: 'anchor',
    });
  });

  it('holds nothing but one row and one anchor at a time (a generator fed lazily)', async () => {
    const { rows, anchors } = ledger(50);
    let pulled = 0;
    async function* counting(): AsyncGenerator<RowWithPrevious> {
      for await (const r of withPrevious(rows)) {
        pulled++;
        yield r;
      }
    }
    const result = await verifyLedgerChain(counting(), each(anchors));
    expect(result.ok).toBe(true);
    expect(pulled).toBe(150);
  });
});

describe('rows built from hostile ids', () => {
  it('stores NUL and lone surrogates as U+FFFD before hashing, so the stored row is the hashed one', () => {
    const a = assessed(1, 'p:a');
    const hostile: EvidenceEventAssessment = {
      ...a,
      eventId: 'e\u0000x\ud800',
      facts: {
        ...(a as Extract<EvidenceEventAssessment, { outcome: 'assessed' }>).facts,
        evidenceId: '\udc00ev',
      },
    } as EvidenceEventAssessment;
    const { rows } = buildLedgerBatch(
      { lastSeq: 0n, lastAnchorIndex: 0n, lastAnchorHash: null },
      new Map(),
      [
        {
          topic: 't',
          partition: 0,
          offset: '0',
          assessment: hostile,
          subject: 'p:a',
          valueDigest: 'sha256:0',
          textHash: null,
          policyVersion: 'v',
        },
      ],
      () => 'sealed',
    );
    const row = rows[0]!;
    expect(row.eventId).toBe('e\ufffdx\ufffd');
    expect(row.evidenceId).toBe('\ufffdev');
    // What PostgreSQL returns (UTF-8 round trip) hashes to the stored hash.
    const roundTrip = Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === 'string' ? Buffer.from(v, 'utf8').toString('utf8') : v,
      ]),
    ) as unknown as LedgerRow;
    expect(rowHash(roundTrip)).toBe(row.hash);
  });
});
