import { GovernanceProcessor } from '../processor/governance.processor';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { eventIdHash, evidenceIdHash } from './duplicate-window';
import { consentEvent, EXAMPLE_POLICY_TEXT, sourceEvent } from '../../test/rule-fixture.harness';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

const windowOf3 = loadPolicy(EXAMPLE_POLICY_TEXT.replace('duplicateWindow: 256', 'duplicateWindow: 3'), {
  fileName: 'window-3.yaml',
});

const pageView = (id: string, subject = 'cookie-1'): Record<string, unknown> =>
  sourceEvent({
    id,
    subject,
    time: '2025-03-01T10:00:00.000Z',
    source: 'web',
    type: 'page.viewed',
    data: { page: { url: '/shop' } },
  });

const outcomeOf = (p: GovernanceProcessor, event: Record<string, unknown>): string | undefined =>
  p.process(event).deadLetter?.code ?? 'processed';

describe('duplicate window', () => {
  it('dead-letters an id seen among the subject’s last N ids, and only there', () => {
    expect(EXAMPLE_POLICY_TEXT).toContain('duplicateWindow: 256');
    const p = new GovernanceProcessor(windowOf3, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    expect(outcomeOf(p, pageView('a'))).toBe('processed');
    expect(outcomeOf(p, pageView('a'))).toBe('duplicate-event');
    // Another subject keeps its own window.
    expect(outcomeOf(p, pageView('a', 'cookie-2'))).toBe('processed');
    for (const id of ['b', 'c']) expect(outcomeOf(p, pageView(id))).toBe('processed');
    expect(outcomeOf(p, pageView('a'))).toBe('duplicate-event');
    // A fourth newer id pushes `a` out of a window of 3.
    expect(outcomeOf(p, pageView('d'))).toBe('processed');
    expect(outcomeOf(p, pageView('a'))).toBe('processed');
  });

  it('treats resent evidence under a new event id as a duplicate, and keeps the id spaces apart', () => {
    const p = new GovernanceProcessor(windowOf3, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const grant = consentEvent({
      id: 'c1',
      subject: 'cookie-1',
      time: '2025-03-01T09:00:00.000Z',
      kind: 'cookie-banner',
    });
    expect(outcomeOf(p, grant)).toBe('processed');
    // The same evidence (ev-c1) in a new envelope.
    expect(outcomeOf(p, { ...grant, id: 'c1-again' })).toBe('duplicate-event');
    // An event whose id is the text of that evidence id is a different thing.
    expect(outcomeOf(p, pageView('ev-c1'))).toBe('processed');
  });

  it('keeps hashes, not ids, in the state, and restores a v1 state (ids) as their hashes', () => {
    const p = new GovernanceProcessor(windowOf3, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(pageView('a'));
    const state = p.exportState('cookie-1');
    expect(state).toMatchObject({ v: 2, seen: [eventIdHash('a')] });
    expect(JSON.stringify(state)).not.toContain('"a"');

    const v1 = { ...state, v: 1, seen: ['old-event', 'ev:old-evidence'] };
    const restored = new GovernanceProcessor(windowOf3, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    restored.importState('cookie-1', JSON.parse(JSON.stringify(v1)));
    expect(restored.exportState('cookie-1')).toMatchObject({
      v: 2,
      seen: [eventIdHash('old-event'), evidenceIdHash('old-evidence')],
    });
    expect(outcomeOf(restored, pageView('old-event'))).toBe('duplicate-event');
    const resent = consentEvent({
      id: 'new-envelope',
      subject: 'cookie-1',
      time: '2025-03-01T09:00:00.000Z',
      kind: 'cookie-banner',
      extra: { evidenceId: 'old-evidence' },
    });
    expect(outcomeOf(restored, resent)).toBe('duplicate-event');
  });

  it('quarantines a restored state whose window mixes formats', () => {
    const p = new GovernanceProcessor(windowOf3, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(pageView('a'));
    const state = p.exportState('cookie-1');
    expect(p.importState('cookie-1', { ...state, seen: ['a'] })).toBe('quarantined');
    expect(p.importState('cookie-1', { ...state, v: 1 })).toBe('quarantined');
    expect(outcomeOf(p, pageView('b'))).toBe('corrupt-state');
  });

  it('hashes to distinct integers that a double holds exactly', () => {
    const ids = Array.from({ length: 20000 }, (_, i) => `evt-${i}`);
    const hashes = new Set(ids.map(eventIdHash));
    expect(hashes.size).toBe(ids.length);
    for (const h of hashes) expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    expect(eventIdHash('x')).not.toBe(evidenceIdHash('x'));
  });
});
