import { GovernanceProcessor } from '../processor/governance.processor';
import { loadPolicy } from '../policy-file/policy-file.loader';
import {
  consentEvent,
  EXAMPLE_POLICY_TEXT,
  examplePolicy,
  sourceEvent,
} from '../../test/rule-fixture.harness';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { SubjectState } from './consent-state.types';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

/** Signs S1 up to the newsletter (double opt-in) twice, a month apart, then sends a sign-up event. */
function signUpTwice(policy: CompiledPolicy): GovernanceProcessor {
  const p = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  const signUp = (id: string, day: string): void => {
    for (const e of [
      consentEvent({
        id,
        subject: 'S1',
        time: `2025-${day}T10:00:00.000Z`,
        kind: 'marketing-consent',
        form: 'newsletter-v3',
        action: 'checkbox_ticked',
        purposes: ['email.newsletter'],
      }),
      consentEvent({
        id: `${id}-ok`,
        subject: 'S1',
        time: `2025-${day}T10:05:00.000Z`,
        kind: 'double-opt-in-confirmation',
        extra: { confirms: `ev-${id}` },
      }),
    ])
      expect(p.process(e).outcome).toBe('consent');
  };
  signUp('c1', '03-01');
  signUp('c2', '04-01');
  return p;
}

function contactOf(p: GovernanceProcessor, id: string, time: string): unknown {
  const r = p.process(
    sourceEvent({
      id,
      subject: 'S1',
      time,
      source: 'newsletter',
      type: 'signup.submitted',
      data: { email: 'a@example.dk' },
    }),
  );
  return r.decisions?.find((d) => d.destination.name === 'email-service')?.contact;
}

describe('marketing grants in the consent state', () => {
  it('keeps one grant when a consent with the same scope is given again (no maximum age)', () => {
    const p = signUpTwice(examplePolicy);
    expect((p.exportState('S1') as SubjectState | null)?.marketing).toHaveLength(1);
    // The earlier grant is the one the gate cites, before and after the second sign-up.
    expect(contactOf(p, 'e1', '2025-05-01T10:00:00.000Z')).toMatchObject({
      mayContact: true,
      evidenceId: 'ev-c1',
      rule: 'R14',
    });
  });

  it('keeps every grant when consents expire (each has its own window)', () => {
    const expiring = loadPolicy(
      EXAMPLE_POLICY_TEXT.replace('marketingConsentMaxAgeDays: null', 'marketingConsentMaxAgeDays: 60'),
      { fileName: 'expiring.yaml' },
    );
    const p = signUpTwice(expiring);
    expect((p.exportState('S1') as SubjectState | null)?.marketing).toHaveLength(2);
    // 70 days after the first confirmation it has expired; the second one still covers the send.
    expect(contactOf(p, 'e1', '2025-05-15T10:00:00.000Z')).toMatchObject({
      mayContact: true,
      evidenceId: 'ev-c2',
    });
  });
});

describe('keys taken from evidence', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'treats "%s" as an ordinary evidence id or purpose, never as part of the object',
    (key) => {
      const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
      const at = '2025-03-01T10:00:00.000Z';
      const confirm = p.process(
        consentEvent({
          id: 'c1',
          subject: 'S1',
          time: at,
          kind: 'double-opt-in-confirmation',
          extra: { confirms: key },
        }),
      );
      // An unknown confirmation: assessed and recorded, no grant, no throw.
      expect(confirm.outcome).toBe('consent');
      expect(contactOf(p, 'e1', '2025-03-02T10:00:00.000Z')).toMatchObject({ mayContact: false });
      const withdraw = p.process(
        consentEvent({ id: 'w1', subject: 'S1', time: at, kind: 'withdrawal', purposes: [key] }),
      );
      expect(withdraw.outcome).toBe('consent');
      const state = p.exportState('S1') as SubjectState | null;
      expect(Object.keys(state?.purposes ?? {})).toEqual([]);
      // Not a declared purpose: nothing to withdraw, nothing kept.
      expect(Object.keys(state?.withdrawn ?? {})).toEqual([]);
    },
  );
});
