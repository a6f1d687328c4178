import { consentEvent, examplePolicy, sourceEvent } from '../../test/rule-fixture.harness';
import { RecordEmitter } from './emit.stage';
import { GovernanceProcessor } from './governance.processor';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

type Input = Record<string, unknown>;

const at = (minute: number): string => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
/** A cookie choice: all the link and page-view purposes, or (reject) none. */
const cookies = (id: string, subject: string, minute: number, action = 'save_choices'): Input =>
  consentEvent({
    id,
    subject,
    time: at(minute),
    kind: 'cookie-banner',
    action,
    purposes: action === 'reject_all' ? [] : ['cookie.marketing', 'cookie.statistics', 'seg.web_behaviour'],
  });
const pageView = (id: string, subject: string, minute: number): Input =>
  sourceEvent({
    id,
    subject,
    time: at(minute),
    source: 'web',
    type: 'page.viewed',
    data: { page: { url: '/a' } },
  });
const linkEvent = (id: string, subject: string, cookieId: string, minute: number): Input =>
  sourceEvent({ id, subject, time: at(minute), source: 'web', type: 'identity.linked', data: { cookieId } });

const fresh = (): GovernanceProcessor =>
  new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });

function replay(events: readonly Input[]): GovernanceProcessor {
  const p = fresh();
  for (const e of events) p.process(e);
  return p;
}

/** Every subject's exported state, as JSON text (byte comparison). */
function states(p: GovernanceProcessor): Map<string, string> {
  return new Map([...p.subjectKeys()].map((k) => [k, JSON.stringify(p.exportState(k))]));
}

/** Processes `next` on both processors and expects byte-identical results. */
function expectSameDecisions(a: GovernanceProcessor, b: GovernanceProcessor, next: readonly Input[]): void {
  for (const e of next) expect(JSON.stringify(a.process(e))).toBe(JSON.stringify(b.process(e)));
  expect(states(a)).toEqual(states(b));
}

describe('an event that fails inside the core', () => {
  afterEach(() => jest.restoreAllMocks());

  it('leaves the folded consent state as it was (a withdrawal that throws after the fold)', () => {
    const history = [cookies('c1', 'S1', 0), pageView('e1', 'S1', 1)];
    const p = replay(history);
    const before = states(p);
    jest.spyOn(RecordEmitter.prototype, 'evidence').mockImplementationOnce(() => {
      throw new Error('defect after the fold');
    });
    const failed = p.process(cookies('c2', 'S1', 2, 'reject_all'));
    expect(failed.deadLetter?.code).toBe('internal-error');
    expect(failed.stateChanges).toEqual([]);
    expect(states(p)).toEqual(before);
    // The same evidence, resent, is not a duplicate: the failed event left no id in the window.
    expectSameDecisions(p, replay(history), [
      pageView('e2', 'S1', 3),
      cookies('c2', 'S1', 4, 'reject_all'),
      pageView('e3', 'S1', 5),
    ]);
  });

  it('undoes an identity link and the duplicate window of both subjects', () => {
    const history = [
      cookies('c1', 'ck1', 0),
      cookies('c2', 'CRM1', 0, 'reject_all'),
      pageView('e1', 'CRM1', 1),
    ];
    const p = replay(history);
    const before = states(p);
    // Without the defect, the event links the identities.
    expect(replay(history).process(linkEvent('l1', 'CRM1', 'ck1', 2)).lineage[0]).toMatchObject({
      kind: 'identity-link',
      linked: true,
    });
    jest.spyOn(RecordEmitter.prototype, 'source').mockImplementationOnce(() => {
      throw new Error('defect after the link');
    });
    expect(p.process(linkEvent('l1', 'CRM1', 'ck1', 2)).deadLetter?.code).toBe('internal-error');
    expect(states(p)).toEqual(before);
    expectSameDecisions(p, replay(history), [
      pageView('e2', 'ck1', 3),
      pageView('e3', 'CRM1', 3),
      linkEvent('l1', 'CRM1', 'ck1', 4),
      pageView('e4', 'ck1', 5),
    ]);
  });

  it('forgets a subject the failed event created', () => {
    const p = replay([cookies('c1', 'S1', 0)]);
    jest.spyOn(RecordEmitter.prototype, 'source').mockImplementationOnce(() => {
      throw new Error('defect on a new subject');
    });
    expect(p.process(pageView('e1', 'NEW', 1)).deadLetter?.code).toBe('internal-error');
    expect(p.exportState('NEW')).toBeNull();
    expect([...p.subjectKeys()]).toEqual(['S1']);
  });
});
