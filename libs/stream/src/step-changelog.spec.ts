import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
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

/**
 * The changelog as the engine writes it from the real core: after every step, what the compacted
 * topic holds must equal every state the core keeps, including the second state an event changes
 * (an identifier joined by a login, or a linked device's own state when a banner choice or a
 * withdrawal is made on it), and a core restored from it must hold the same states.
 */
describe('the step changelog of the decision core', () => {
  const STEP = 7;

  function exported(p: GovernanceProcessor): Map<string, string> {
    return new Map([...p.subjectKeys()].map((k) => [k, JSON.stringify(p.exportState(k))]));
  }

  it('carries every changed state, the device’s own included, as of the step’s last record', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8');
    const policy = loadPolicy(text, { fileName: 'example.yaml' });
    const lines = generateEventStream({ seed: 5, customers: 150 });
    const core = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const compacted = new Map<string, string | null>();
    let deviceFolds = 0;
    for (let start = 0; start < lines.length; start += STEP) {
      const changed = new Map<string, ChangedState>();
      lines.slice(start, start + STEP).forEach((line, i) => {
        const result = core.process(line);
        if (result.outcome === 'consent' && result.stateChanges.length > 1) deviceFolds++;
        for (const c of result.stateChanges)
          changed.set(c.subjectKey, { state: c.state, by: at(String(start + i)) });
      });
      for (const r of changelogRecords('cl', 0, changed))
        compacted.set(r.key as string, r.value as string | null);
      expect(new Map(compacted)).toEqual(exported(core));
    }
    expect(deviceFolds).toBeGreaterThan(0);
    const restored = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    for (const [key, value] of compacted)
      expect(restored.importState(key, value === null ? null : JSON.parse(value))).toBe('restored');
    expect(exported(restored)).toEqual(exported(core));
  });
});
