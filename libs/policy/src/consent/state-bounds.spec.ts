import { consentEvent, EXAMPLE_POLICY_TEXT, sourceEvent } from '../../test/rule-fixture.harness';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { GovernanceProcessor } from '../processor/governance.processor';
import type { SubjectState } from './consent-state.types';
import { MAX_MARKETING, MAX_PENDING } from './state-bounds';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

// With a maximum age every consent is its own grant (none is covered by an earlier one).
const expiring = loadPolicy(
  EXAMPLE_POLICY_TEXT.replace('marketingConsentMaxAgeDays: null', 'marketingConsentMaxAgeDays: 400'),
  { fileName: 'expiring.yaml' },
);
const START = Date.parse('2025-01-01T00:00:00.000Z');
const minute = (n: number): string => new Date(START + n * 60_000).toISOString();

const signUp = (i: number): Record<string, unknown> =>
  consentEvent({
    id: `s${i}`,
    subject: 'S1',
    time: minute(i),
    kind: 'marketing-consent',
    form: 'newsletter-v3',
    action: 'checkbox_ticked',
    purposes: ['email.newsletter'],
  });
const confirm = (i: number, at: number): Record<string, unknown> =>
  consentEvent({
    id: `ok${i}`,
    subject: 'S1',
    time: minute(at),
    kind: 'double-opt-in-confirmation',
    extra: { confirms: `ev-s${i}` },
  });
/** The e-mail contact decision on a newsletter sign-up. */
function contactOf(p: GovernanceProcessor, id: string, at: number): unknown {
  const r = p.process(
    sourceEvent({
      id,
      subject: 'S1',
      time: minute(at),
      source: 'newsletter',
      type: 'signup.submitted',
      data: { email: 'a@example.dk' },
    }),
  );
  return r.decisions?.find((d) => d.destination.name === 'email-service')?.contact;
}

const exported = (p: GovernanceProcessor): SubjectState => p.exportState('S1') as SubjectState;
const size = (p: GovernanceProcessor): number => Buffer.byteLength(JSON.stringify(p.exportState('S1')));

/** 1,000 unconfirmed double opt-in sign-ups. */
function manySignUps(): GovernanceProcessor {
  const p = new GovernanceProcessor(expiring, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  for (let i = 0; i < 1000; i++) {
    const r = p.process(signUp(i));
    expect(r.outcome).toBe('consent');
    if (i === MAX_PENDING) expect(r.lineage[0]).toMatchObject({ reason: expect.stringContaining('dropped') });
  }
  return p;
}

describe('bounded subject state', () => {
  it('keeps the newest unconfirmed sign-ups only; a dropped one’s confirmation grants nothing', () => {
    const p = manySignUps();
    expect(Object.keys(exported(p).pending)).toHaveLength(MAX_PENDING);
    expect(size(p)).toBeLessThan(64 * 1024);
    const dropped = p.process(confirm(0, 1001));
    expect(dropped.lineage[0]).toMatchObject({ reason: expect.stringContaining('not pending') });
    // v2 leaves out an empty grant list: it granted nothing.
    expect(dropped.lineage[0]).not.toHaveProperty('grants');
    expect(contactOf(p, 'e1', 1002)).toMatchObject({ mayContact: false });
    // The newest sign-up is still pending and its confirmation grants.
    expect(p.process(confirm(999, 1003)).lineage[0]).toMatchObject({ grants: ['email.newsletter'] });
    expect(contactOf(p, 'e2', 1004)).toMatchObject({ mayContact: true, evidenceId: 'ev-s999' });
  });

  it('keeps the newest marketing grants only, and they decide', () => {
    const p = manySignUps();
    // 1,000 confirmed sign-ups: each confirmation is a grant of its own.
    for (let i = 1000; i < 2000; i++) {
      p.process(signUp(i));
      expect(p.process(confirm(i, i)).lineage[0]).toMatchObject({ grants: ['email.newsletter'] });
    }
    const marketing = exported(p).marketing;
    expect(marketing).toHaveLength(MAX_MARKETING);
    expect(marketing.map((g) => g.evidenceId)).toContain('ev-s1999');
    expect(marketing.map((g) => g.evidenceId)).not.toContain('ev-s1000');
    expect(size(p)).toBeLessThan(64 * 1024);
    expect(contactOf(p, 'e1', 2001)).toMatchObject({ mayContact: true });
    // A withdrawal still removes every kept grant.
    p.process(
      consentEvent({ id: 'w1', subject: 'S1', time: minute(2002), kind: 'withdrawal', extra: { all: true } }),
    );
    expect(contactOf(p, 'e2', 2003)).toMatchObject({ mayContact: false });
  });
});
