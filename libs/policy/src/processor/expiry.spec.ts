import { consentEvent, EXAMPLE_POLICY_TEXT, sourceEvent } from '../../test/rule-fixture.harness';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { RecordEmitter } from './emit.stage';
import { GovernanceProcessor } from './governance.processor';
import type { ProcessResult } from './processor.types';

type Input = Record<string, unknown>;

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (day: number): string => new Date(T0 + Math.round(day * DAY)).toISOString();

/** The example policy with a 30-day horizon and a 7-day double opt-in window. */
const policy = loadPolicy(
  EXAMPLE_POLICY_TEXT.replace('stateHorizonDays: 730', 'stateHorizonDays: 30').replace(
    'doubleOptInConfirmationDays: 30',
    'doubleOptInConfirmationDays: 7',
  ),
  { fileName: 'expiry.yaml' },
);
const fresh = (): GovernanceProcessor =>
  new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });

const cookies = (id: string, subject: string, day: number): Input =>
  consentEvent({
    id,
    subject,
    time: at(day),
    kind: 'cookie-banner',
    action: 'save_choices',
    purposes: ['cookie.statistics', 'seg.web_behaviour'],
  });
const pageView = (id: string, subject: string, day: number): Input =>
  sourceEvent({
    id,
    subject,
    time: at(day),
    source: 'web',
    type: 'page.viewed',
    data: { page: { url: '/p' } },
  });
const order = (id: string, subject: string, day: number): Input =>
  sourceEvent({
    id,
    subject,
    time: at(day),
    source: 'checkout',
    type: 'order.completed',
    data: { orderId: id, email: 'a@example.dk', items: [], totalDkk: 100 },
  });
const signUp = (id: string, subject: string, day: number): Input =>
  consentEvent({
    id,
    subject,
    time: at(day),
    kind: 'marketing-consent',
    form: 'newsletter-v3',
    purposes: ['email.newsletter'],
    action: 'checkbox_ticked',
  });
const confirm = (id: string, subject: string, day: number, signUpId: string): Input =>
  consentEvent({
    id,
    subject,
    time: at(day),
    kind: 'double-opt-in-confirmation',
    extra: { confirms: `ev-${signUpId}` },
  });
const objection = (id: string, subject: string, day: number): Input =>
  consentEvent({ id, subject, time: at(day), kind: 'objection' });

/** What an event produced, as compared between processors. */
const output = (r: ProcessResult): string => JSON.stringify([r.records, r.lineage, r.deadLetter ?? null]);

describe('state expiry by event time', () => {
  it('keeps the number of subjects held bounded over a long event-time span', () => {
    const p = fresh();
    let most = 0;
    let expired = 0;
    // A new person every 6 hours for four years; each visits once (no consent) or consents to
    // cookies (R8: kept 396 days) and visits again a week later.
    for (let i = 0; i < 4 * 365 * 4; i++) {
      const day = i / 4;
      const s = `S${i}`;
      const events =
        i % 2 === 0 ? [pageView(`p${i}`, s, day)] : [cookies(`c${i}`, s, day), pageView(`p${i}`, s, day)];
      for (const e of events) expired += p.process(e).expiredSubjects?.length ?? 0;
      if (i % 20 === 0) most = Math.max(most, [...p.subjectKeys()].length);
    }
    // Live: page-view-only subjects for about 30 days (≈ 60), consenting ones for 396 (≈ 792); the
    // sweep looks at 4 subjects per event, so an expired one lingers for at most one round (≈ 1/6
    // of them at 1.5 events per subject). Without expiry all 5,840 would be held.
    expect(most).toBeLessThan(1100);
    expect(expired).toBeGreaterThan(4500);
    expect([...p.subjectKeys()].length).toBeLessThan(1100);
  });

  it('decides a subject alike whether or not others made the sweep forget it first', () => {
    // The same events for A, B and C: once in one core (dry-run), once in one core per subject
    // (the engine's tasks, each with its own sweep clock).
    const events: Input[] = [
      cookies('a1', 'A', 0),
      signUp('a2', 'A', 1),
      pageView('a3', 'A', 2),
      order('b1', 'B', 3),
      objection('b2', 'B', 3),
      pageView('c1', 'C', 5),
      pageView('a4', 'A', 40), // A's grants still live (R8): kept
      confirm('a5', 'A', 41, 'a2'), // 40 days after the sign-up: past its window, grants nothing
      pageView('c2', 'C', 90), // C had nothing that permits: forgotten after 30 days
      order('b3', 'B', 900), // B objected: never forgotten
      pageView('a6', 'A', 500), // A's cookie grant ended after 396 days: A starts afresh
      pageView('c3', 'C', 901),
    ];
    const single = fresh();
    const perSubject = new Map(['A', 'B', 'C'].map((s) => [s, fresh()]));
    const all = events.map((e) => output(single.process(e)));
    const split = events.map((e) =>
      output((perSubject.get(e.subject as string) as GovernanceProcessor).process(e)),
    );
    expect(split).toEqual(all);
  });

  it('forgets a subject with nothing left, and tombstones it once', () => {
    const p = fresh();
    p.process(pageView('e1', 'S1', 0));
    expect(p.exportState('S1')).toMatchObject({ lastAt: T0 });
    expect(p.process(pageView('e2', 'S2', 29)).expiredSubjects).toBeUndefined();
    // A time is trusted once a second event reaches it: one far-future event forgets nobody.
    expect(p.process(pageView('e3', 'S3', 9000)).expiredSubjects).toBeUndefined();
    expect(p.process(pageView('e4', 'S2', 31)).expiredSubjects).toEqual(['S1']);
    expect(p.exportState('S1')).toBeNull();
    expect(p.process(pageView('e5', 'S2', 32)).expiredSubjects).toBeUndefined();
  });

  it('never forgets an objection (R19), and keeps a live grant until it expires (R8)', () => {
    const p = fresh();
    p.process(objection('o1', 'OBJ', 0));
    p.process(cookies('c1', 'GRANT', 0));
    p.process(pageView('e1', 'X', 395));
    expect(p.exportState('OBJ')).not.toBeNull();
    expect(p.exportState('GRANT')).not.toBeNull();
    p.process(pageView('e2', 'X', 397));
    p.process(pageView('e3', 'X', 397));
    expect(p.exportState('OBJ')).not.toBeNull();
    expect(p.exportState('GRANT')).toBeNull();
    const later = p.process(order('e4', 'OBJ', 3000));
    expect(later.lineage.some((l) => l.kind === 'decision')).toBe(true);
    expect(p.exportState('OBJ')).toMatchObject({ objection: { evidenceId: 'ev-o1' } });
  });

  it('drops an unconfirmed sign-up after its confirmation window', () => {
    const p = fresh();
    p.process(signUp('s1', 'S1', 0));
    p.process(signUp('s2', 'S2', 0));
    expect(p.process(confirm('k1', 'S1', 7, 's1')).lineage[0]).toMatchObject({
      grants: ['email.newsletter'],
    });
    // Lineage v2 leaves out an empty grant list: the late confirmation granted nothing.
    expect(p.process(confirm('k2', 'S2', 7.01, 's2')).lineage[0]).not.toHaveProperty('grants');
    expect(p.exportState('S2')).toMatchObject({ pending: {} });
  });

  it('puts back a lapsed sign-up when the event that dropped it fails (rollback)', () => {
    const p = fresh();
    p.process(signUp('s1', 'S1', 0));
    const before = JSON.stringify(p.exportState('S1'));
    // A defect after the decision: the event that found the sign-up lapsed must leave no trace.
    const emit = jest.spyOn(RecordEmitter.prototype, 'source').mockImplementation(() => {
      throw new Error('defect after the decision');
    });
    try {
      expect(p.process(pageView('p1', 'S1', 8)).deadLetter?.code).toBe('internal-error');
    } finally {
      emit.mockRestore();
    }
    expect(JSON.stringify(p.exportState('S1'))).toBe(before);
    expect(p.exportState('S1')).toMatchObject({ pending: { 'ev-s1': expect.anything() as unknown } });
  });

  it('lets an alias follow its subject until both have expired', () => {
    const p = fresh();
    const link = (id: string, subject: string, cookieId: string, day: number): Input =>
      sourceEvent({ id, subject, time: at(day), source: 'web', type: 'identity.linked', data: { cookieId } });
    p.process(
      consentEvent({
        id: 'c1',
        subject: 'ck1',
        time: at(0),
        kind: 'cookie-banner',
        action: 'save_choices',
        purposes: ['cookie.marketing'],
      }),
    );
    p.process(link('l1', 'CRM1', 'ck1', 1));
    expect(p.exportState('ck1')).toMatchObject({ linkedTo: 'CRM1' });
    p.process(pageView('e1', 'X', 397));
    p.process(pageView('e2', 'X', 398));
    expect(p.exportState('CRM1')).toBeNull();
    expect(p.exportState('ck1')).toBeNull();
  });

  it('keeps a chain of aliases whose own states expired while it leads to a live customer', () => {
    const p = fresh();
    const crm = (id: string, day: number): Input =>
      sourceEvent({
        id,
        subject: 'CUST1',
        time: at(day),
        source: 'crm',
        type: 'customer.updated',
        data: { email: 'ann@example.dk', firstName: 'Ann' },
      });
    p.process(
      consentEvent({
        id: 'c1',
        subject: 'ck1',
        time: at(0),
        kind: 'cookie-banner',
        action: 'save_choices',
        purposes: ['cookie.marketing'],
      }),
    );
    // The cookie joins the address, which the CRM then links to the customer: ck1 → address → CUST1.
    p.process(
      sourceEvent({
        id: 'l1',
        subject: 'ann@example.dk',
        time: at(1),
        source: 'web',
        type: 'identity.linked',
        data: { cookieId: 'ck1' },
      }),
    );
    // The customer stays active; the cookie's and the address's own states expire (and the sweep,
    // run after every event, looks at all three each time).
    for (let day = 2; day <= 442; day += 20) p.process(crm(`u${day}`, day));
    expect(p.exportState('ck1')).toMatchObject({ linkedTo: 'ann@example.dk' });
    expect(p.exportState('ann@example.dk')).toMatchObject({ linkedTo: 'CUST1' });
    expect(p.process(pageView('e1', 'ck1', 445)).subjectKey).toBe('CUST1');
    // Once the customer has expired too, the whole chain is forgotten.
    p.process(pageView('e2', 'X', 500));
    p.process(pageView('e3', 'X', 501));
    for (const key of ['ck1', 'ann@example.dk', 'CUST1']) expect(p.exportState(key)).toBeNull();
  });

  it('restores a state written before the subject clock and the suppression ledger', () => {
    const p = fresh();
    const old = {
      v: 2,
      purposes: {},
      marketing: [],
      pending: {},
      withdrawn: { 'email.newsletter': { at: T0 + 3 * DAY, evidenceId: 'w' } },
      refused: {},
      contactRefused: null,
      objection: null,
      seen: [],
      linkedTo: null,
    };
    expect(p.importState('S1', old)).toBe('restored');
    expect(p.exportState('S1')).toMatchObject({ lastAt: T0 + 3 * DAY, suppressed: {} });
    expect(p.importState('S2', { ...old, lastAt: 'soon' })).toBe('quarantined');
  });
});
