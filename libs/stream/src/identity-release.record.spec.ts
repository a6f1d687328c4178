import { type ChangedState } from './step-changelog';
import { parseRelease, releaseRecord, sweptReleases } from './identity-release.record';

const at = { topic: 'routed', partition: 2, offset: '7' };

describe('identity releases', () => {
  it('release each swept key whose state is still gone at the end of the step, at its last sweep', () => {
    const swept = new Map([
      ['gone', 12],
      ['back', 13], // forgotten, then made anew by a later record of the same step
      ['moved', 14], // forgotten, then exported: its tombstone is the export's (the router checks the task)
    ]);
    const changed = new Map<string, ChangedState>([
      ['gone', { state: null, by: at }],
      ['back', { state: { v: 2 }, by: at }],
      ['moved', { state: null, by: null }],
      ['other', { state: null, by: null }], // exported only: not swept, not released
    ]);
    expect(sweptReleases(swept, changed, 2)).toEqual([
      { key: 'gone', position: 12, partition: 2 },
      { key: 'moved', position: 14, partition: 2 },
    ]);
  });

  it('round-trip through the release topic, keyed by key, with no personal data besides the key', () => {
    const record = releaseRecord('releases', { key: 'ann@example.dk', position: 41, partition: 3 }, 1);
    expect(record).toEqual({
      topic: 'releases',
      key: 'ann@example.dk',
      value: '{"position":41,"partition":3}',
      partition: 1,
    });
    expect(parseRelease(Buffer.from(record.key as string), Buffer.from(record.value as string))).toEqual({
      key: 'ann@example.dk',
      position: 41,
      partition: 3,
    });
  });

  it('ignore anything that is not a well-formed release (the group is then kept)', () => {
    const k = Buffer.from('k');
    const bad = [
      [null, Buffer.from('{"position":1,"partition":0}')],
      [Buffer.alloc(0), Buffer.from('{"position":1,"partition":0}')],
      [k, null],
      [k, Buffer.from('not json')],
      [k, Buffer.from('[1,0]')],
      [k, Buffer.from('null')],
      [k, Buffer.from('{"position":"1","partition":0}')],
      [k, Buffer.from('{"position":1.5,"partition":0}')],
      [k, Buffer.from('{"position":1,"partition":-1}')],
      [k, Buffer.from('{"position":1}')],
    ] as const;
    for (const [key, value] of bad) expect(parseRelease(key, value)).toBeNull();
  });
});
