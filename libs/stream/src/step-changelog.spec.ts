import { type ChangedState, changelogRecords, oversizedState } from './step-changelog';

const at = (offset: string): { topic: string; partition: number; offset: string } => ({
  topic: 'in',
  partition: 0,
  offset,
});

describe('the step changelog', () => {
  it('writes each key once, with its state as the step last left it', () => {
    const live = { v: 2, seen: [1] };
    const changed = new Map<string, ChangedState>([
      ['S1', { state: live, by: at('1') }],
      ['S2', { state: null, by: null }],
      ['S3', { state: '{"v":2}', by: null }],
    ]);
    // A later record of the same step changes the live state: the changelog carries that.
    live.seen.push(2);
    changed.set('S1', { state: live, by: at('4') });
    expect(changelogRecords('cl', 2, changed)).toEqual([
      { topic: 'cl', partition: 2, key: 'S1', value: '{"v":2,"seen":[1,2]}' },
      { topic: 'cl', partition: 2, key: 'S2', value: null },
      { topic: 'cl', partition: 2, key: 'S3', value: '{"v":2}' },
    ]);
  });

  it('names the input that changed an oversized state last', () => {
    const changed = new Map<string, ChangedState>([
      ['small', { state: { a: 1 }, by: at('1') }],
      ['big', { state: { a: 'x'.repeat(500) }, by: at('7') }],
    ]);
    const found = oversizedState(changelogRecords('cl', 0, changed), changed, 100);
    expect(found?.by).toEqual(at('7'));
    expect(found?.over.topic).toBe('cl');
    expect(found?.over.bytes).toBeGreaterThan(500);
  });

  it('finds nothing when every state fits, and leaves a handover as it came', () => {
    const changed = new Map<string, ChangedState>([
      ['fits', { state: { a: 1 }, by: at('1') }],
      ['handover', { state: JSON.stringify({ a: 'x'.repeat(500) }), by: null }],
    ]);
    expect(oversizedState(changelogRecords('cl', 0, changed), changed, 100)).toBeUndefined();
  });
});
