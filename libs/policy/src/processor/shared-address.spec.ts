import { consentEvent, examplePolicy, sourceEvent } from '../../test/rule-fixture.harness';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { RecordEmitter } from './emit.stage';
import { GovernanceProcessor } from './governance.processor';

/**
 * R25, fail closed: an address refused for a second customer keeps that customer (`sharedWith`), so
 * a later stop under the address reaches both. These check what the rule cases cannot see: the
 * state kept, its rollback, its restore, and the suppressions' distinct decision ids.
 */
const at = (minute: number): string => `2025-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

function crmUpdate(id: string, subject: string, minute: number): Record<string, unknown> {
  return sourceEvent({
    id,
    subject,
    time: at(minute),
    source: 'crm',
    type: 'customer.updated',
    data: { email: 'shared@example.dk' },
  });
}

function softOptIn(id: string, subject: string, minute: number): Record<string, unknown> {
  return consentEvent({
    id,
    subject,
    time: at(minute),
    kind: 'soft-opt-in-notice',
    form: 'checkout-optout-v1',
    action: 'order_placed',
    extra: {
      optOutOffered: true,
      optOutUsed: false,
      sale: { completed: true, productGroups: ['running_shoes'] },
    },
  });
}

/** Two customers with a soft opt-in each, the address linked to the first and refused for the second. */
function twoClaims(): GovernanceProcessor {
  const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  p.process(softOptIn('c1', 'CUST1', 1));
  p.process(softOptIn('c2', 'CUST2', 2));
  p.process(crmUpdate('e1', 'CUST1', 3));
  expect(p.process(crmUpdate('e2', 'CUST2', 4)).stateChanges.map((c) => c.subjectKey)).toEqual([
    'CUST2',
    'shared@example.dk',
  ]);
  return p;
}

const objection = (minute: number): Record<string, unknown> =>
  consentEvent({ id: 'o1', subject: 'shared@example.dk', time: at(minute), kind: 'objection' });

describe('an address refused for a second customer (R25)', () => {
  const keys = ['CUST1', 'CUST2', 'shared@example.dk'];
  const states = (p: GovernanceProcessor): string[] => keys.map((k) => JSON.stringify(p.exportState(k)));

  it('keeps the refused customer once on the address, however often the claim repeats', () => {
    const p = twoClaims();
    p.process(crmUpdate('e3', 'CUST2', 5));
    expect(p.exportState('shared@example.dk')).toMatchObject({ linkedTo: 'CUST1', sharedWith: ['CUST2'] });
  });

  it('suppresses each customer under its own decision id and writes both states', () => {
    const p = twoClaims();
    const result = p.process(objection(6));
    expect(result.stateChanges.map((c) => c.subjectKey)).toEqual(['CUST1', 'CUST2']);
    expect(p.exportState('CUST2')).toMatchObject({ objection: { evidenceId: 'ev-o1' } });
    const ids = result.records.map((r) => r.headers['decision-id']);
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('c:')).length).toBe(ids.length / 2);
    const subjects = new Set(result.lineage.flatMap((l) => (l.kind === 'suppression' ? [l.subject] : [])));
    expect(subjects.size).toBe(2);
  });

  it('leaves no trace on the second customer when the event fails after deciding', () => {
    const p = twoClaims();
    const before = states(p);
    const emit = jest.spyOn(RecordEmitter.prototype, 'linkStops').mockImplementation(() => {
      throw new Error('defect after the decision');
    });
    try {
      expect(p.process(objection(6)).deadLetter?.code).toBe('internal-error');
    } finally {
      emit.mockRestore();
    }
    expect(states(p)).toEqual(before);
    // The same event, processed for real, does stop the second customer: the check above can fail.
    p.process(objection(6));
    expect(states(p)).not.toEqual(before);
  });

  it('restores the kept customers and quarantines a malformed list rather than fail on a stop', () => {
    const p = twoClaims();
    const state = p.exportState('shared@example.dk') as unknown as Record<string, unknown>;
    expect(p.importState('shared@example.dk', state)).toBe('restored');
    for (const sharedWith of ['CUST2', [''], [7]])
      expect(p.importState('shared@example.dk', { ...state, sharedWith })).toBe('quarantined');
  });
});
