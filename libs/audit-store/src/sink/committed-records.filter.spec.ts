import { CommittedRecordsFilter, type RawRecord } from './committed-records.filter';

const data = (offset: number, producerId: string, inTransaction = true): RawRecord => ({
  offset: String(offset),
  timestamp: '0',
  key: null,
  value: Buffer.from(`v${offset}`),
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, commit: boolean): RawRecord => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return {
    offset: String(offset),
    timestamp: '0',
    key,
    value: null,
    isControlRecord: true,
    batchContext: { producerId, inTransaction: true },
  };
};
const offsets = (rs: readonly RawRecord[]): string[] => rs.map((r) => r.offset);

describe('CommittedRecordsFilter', () => {
  it('releases a transaction at its commit marker and drops it at an abort marker', () => {
    const f = new CommittedRecordsFilter(0n);
    expect(offsets(f.accept([data(0, 'a'), data(1, 'b'), data(2, 'a')]))).toEqual([]);
    expect(f.holding()).toBe(true);
    expect(f.safeOffset()).toBe(0n);
    expect(offsets(f.accept([marker(3, 'b', false), marker(4, 'a', true)]))).toEqual(['0', '2']);
    expect(f.holding()).toBe(false);
    expect(f.safeOffset()).toBe(5n);
  });

  it('passes records outside transactions at once, in offset order with released ones', () => {
    const f = new CommittedRecordsFilter(0n);
    const out = f.accept([data(0, 'a'), data(1, 'x', false), marker(2, 'a', true)]);
    expect(offsets(out)).toEqual(['0', '1']);
  });

  it('never lets the safe offset pass a record still waiting for its marker', () => {
    const f = new CommittedRecordsFilter(10n);
    f.accept([data(10, 'a', false), data(11, 'b'), data(12, 'a', false)]);
    expect(f.safeOffset()).toBe(11n);
    expect(f.position()).toBe(13n);
    expect(f.lastDataOffset()).toBe(12n);
    f.accept([marker(13, 'b', true)]);
    expect(f.safeOffset()).toBe(14n);
  });

  it('ignores records before its position (a re-read after a seek) and across batches keeps what it holds', () => {
    const f = new CommittedRecordsFilter(0n);
    f.accept([data(0, 'a'), data(1, 'a')]);
    // Re-read from the last record: only the marker after it is new.
    expect(offsets(f.accept([data(1, 'a'), marker(2, 'a', true)]))).toEqual(['0', '1']);
    expect(offsets(f.accept([data(0, 'a'), marker(2, 'a', true)]))).toEqual([]);
  });

  it('reads a malformed control key as no commit', () => {
    const f = new CommittedRecordsFilter(0n);
    f.accept([data(0, 'a')]);
    const bad = { ...marker(1, 'a', true), key: Buffer.from([0]) };
    expect(f.accept([bad])).toEqual([]);
    expect(f.holding()).toBe(false);
  });
});
