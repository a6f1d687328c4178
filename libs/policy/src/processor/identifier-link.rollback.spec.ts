import { consentEvent, examplePolicy, sourceEvent } from '../../test/rule-fixture.harness';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { RecordEmitter } from './emit.stage';
import { GovernanceProcessor } from './governance.processor';

/**
 * A declared identifier's link merges the address's state into the customer's (R25). An event that
 * fails after that merge must leave both states as they were: the stream's generated rollback proof
 * cannot see a missed undo here, because processing the event again merges the same stops again.
 */
const at = (minute: number): string => `2025-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

function crmUpdate(id: string, subject: string, minute: number): Record<string, unknown> {
  return sourceEvent({
    id,
    subject,
    time: at(minute),
    source: 'crm',
    type: 'customer.updated',
    data: { email: 'ann@example.dk', firstName: 'Ann' },
  });
}

function newsletterConsent(id: string, subject: string, minute: number): Record<string, unknown> {
  return consentEvent({
    id,
    subject,
    time: at(minute),
    kind: 'marketing-consent',
    form: 'newsletter-v3',
    action: 'checkbox_ticked',
    purposes: ['email.newsletter'],
  });
}

/** Processes `input` with the emit stage failing: a defect after everything was decided. */
function failing(p: GovernanceProcessor, input: Record<string, unknown>): string | undefined {
  const emit = jest.spyOn(RecordEmitter.prototype, 'source').mockImplementation(() => {
    throw new Error('defect after the decision');
  });
  try {
    return p.process(input).deadLetter?.code;
  } finally {
    emit.mockRestore();
  }
}

describe('a failed event that linked a declared identifier leaves no trace (rollback)', () => {
  const keys = ['CUST1', 'CUST2', 'ann@example.dk'];
  const states = (p: GovernanceProcessor): string[] => keys.map((k) => JSON.stringify(p.exportState(k)));

  it("puts back the customer's state an objection under the address changed at the link", () => {
    const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(newsletterConsent('c1', 'CUST1', 1));
    p.process(consentEvent({ id: 'c2', subject: 'ann@example.dk', time: at(2), kind: 'objection' }));
    const before = states(p);
    expect(failing(p, crmUpdate('e1', 'CUST1', 3))).toBe('internal-error');
    expect(states(p)).toEqual(before);
    // The same event, processed for real, does merge: the test above can fail.
    p.process(crmUpdate('e1', 'CUST1', 3));
    expect(p.exportState('CUST1')).toMatchObject({ objection: { evidenceId: 'ev-c2' } });
    expect(p.exportState('ann@example.dk')).toMatchObject({ linkedTo: 'CUST1' });
  });

  it("puts back the second customer's state a refused claim on the address restricted", () => {
    const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(consentEvent({ id: 'c1', subject: 'ann@example.dk', time: at(1), kind: 'objection' }));
    p.process(crmUpdate('e1', 'CUST1', 2));
    p.process(newsletterConsent('c2', 'CUST2', 3));
    const before = states(p);
    expect(failing(p, crmUpdate('e2', 'CUST2', 4))).toBe('internal-error');
    expect(states(p)).toEqual(before);
    p.process(crmUpdate('e2', 'CUST2', 4));
    expect(p.exportState('CUST2')).toMatchObject({ objection: { evidenceId: 'ev-c1' } });
  });
});

describe('withdrawals kept for a later identifier link, restored from the changelog', () => {
  it('restores well-formed stops and quarantines malformed ones rather than fail at the link', () => {
    const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(
      consentEvent({
        id: 'w1',
        subject: 'ann@example.dk',
        time: at(1),
        kind: 'withdrawal',
        purposes: ['email.newsletter'],
      }),
    );
    const state = p.exportState('ann@example.dk') as unknown as Record<string, unknown>;
    expect(state.stops).toEqual([expect.objectContaining({ evidenceId: 'ev-w1' })]);
    expect(p.importState('ann@example.dk', state)).toBe('restored');
    for (const stops of [
      'x',
      [{ at: 'soon' }],
      [{ ...(state.stops as object[])[0], marketing: { brands: 'all' } }],
    ])
      expect(p.importState('ann@example.dk', { ...state, stops })).toBe('quarantined');
  });
});
