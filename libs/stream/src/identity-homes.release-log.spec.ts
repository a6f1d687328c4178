import {
  emptyReleaseLog,
  isReleaseLogKey,
  releaseLogRecords,
  restoreReleaseLogEntry,
} from './identity-homes.release-log';

const toBuffer = (v: Buffer | string | null): Buffer | null =>
  v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);

describe('the release log in the homes changelog', () => {
  it('round-trips releases on record and logged positions; a tombstone removes an entry', () => {
    const records = releaseLogRecords(
      'homes',
      {
        released: new Map<string, number | null>([
          ['ck-1', 7],
          ['ann@example.dk', 9],
          ['gone', null],
        ]),
        lastRouted: new Map<string, number | null>([
          ['c-1', 12],
          ['', 3], // a home may be the empty key (evidence naming an empty subject key)
        ]),
      },
      () => 2,
    );
    expect(records.every((r) => r.topic === 'homes' && r.partition === 2)).toBe(true);
    const log = emptyReleaseLog();
    log.released.set('gone', 1);
    for (const r of records) restoreReleaseLogEntry(log, toBuffer(r.key) as Buffer, toBuffer(r.value));
    expect(log.released).toEqual(
      new Map([
        ['ck-1', 7],
        ['ann@example.dk', 9],
      ]),
    );
    expect(log.lastRouted).toEqual(
      new Map([
        ['c-1', 12],
        ['', 3],
      ]),
    );
  });

  it('has keys no subject key can take, however hostile', () => {
    for (const key of ['', 'c-1', '\u00ff', '\uffff', '\ud800', '\u0000r', 'ÿr', '\u{10ffff}'])
      expect(isReleaseLogKey(Buffer.from(key, 'utf8'))).toBe(false);
    const [record] = releaseLogRecords(
      'homes',
      { released: new Map([['k', 1]]), lastRouted: new Map() },
      () => 0,
    );
    expect(isReleaseLogKey(toBuffer(record?.key ?? null))).toBe(true);
    expect(isReleaseLogKey(null)).toBe(false);
  });

  it('reads an unreadable entry as absent (which keeps more, never less)', () => {
    const log = emptyReleaseLog();
    log.released.set('k', 5);
    restoreReleaseLogEntry(log, Buffer.from([0xff, 0x72, 0x6b]), Buffer.from('-1'));
    expect(log.released.has('k')).toBe(false);
    restoreReleaseLogEntry(log, Buffer.from([0xff, 0x6c, 0x68]), Buffer.from('1e3'));
    expect(log.lastRouted.size).toBe(0);
    restoreReleaseLogEntry(log, Buffer.from([0xff, 0x7a, 0x68]), Buffer.from('4')); // unknown kind
    expect(log).toEqual(emptyReleaseLog());
  });
});
