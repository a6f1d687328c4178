import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import { emptySubjectState, MAX_STOPS, type SubjectState } from '../consent/consent-state.types';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { keepStop, mergeIdentifierState } from './identifier-merge';

const policy = loadPolicy(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'policies', 'example.yaml'), 'utf8'),
);

function withdrawal(
  id: string,
  marketing: { channels?: string[]; productGroups?: string[] } | null,
  all = false,
): EvidenceAssessment {
  return {
    evidenceId: id,
    kind: 'withdrawal',
    valid: true,
    rule: 'R18',
    reason: 'withdrawn',
    claimedPurposes: [],
    effect: { type: 'withdrawal', all, purposes: [], marketing },
  };
}

function customer(): SubjectState {
  const s = emptySubjectState();
  s.purposes = {
    'email.newsletter': {
      since: 100,
      renewedAt: 100,
      evidenceId: 'c1',
      form: 'marketing-consent',
      source: 'marketing-consent',
    },
  };
  s.marketing = [
    {
      since: 100,
      evidenceId: 'c1',
      basis: 'consent',
      brands: ['nordlys'],
      channels: ['email'],
      productGroups: ['running_shoes'],
    },
    {
      since: 300,
      evidenceId: 'c2',
      basis: 'consent',
      brands: ['nordlys'],
      channels: ['sms'],
      productGroups: ['running_shoes'],
    },
  ];
  return s;
}

describe('an identifier merged into the person at its link (R25)', () => {
  it('a scoped withdrawal kept on the identifier removes only what it names, given before it', () => {
    const address = emptySubjectState();
    keepStop(address, withdrawal('w1', { channels: ['email'] }), 200);
    const person = customer();
    mergeIdentifierState(policy, person, address);
    expect(person.marketing.map((g) => g.evidenceId)).toEqual(['c2']);
    expect(person.purposes['email.newsletter']).toBeDefined();
  });

  it('a scoped withdrawal takes exactly its scope of a wider grant and keeps the rest (R18)', () => {
    const address = emptySubjectState();
    keepStop(address, withdrawal('w1', { productGroups: ['running_shoes'] }), 200);
    const person = customer();
    person.marketing = [
      {
        since: 100,
        evidenceId: 'c1',
        basis: 'consent',
        brands: ['nordlys'],
        channels: ['email'],
        productGroups: ['running_shoes', 'outdoor_gear'],
      },
    ];
    mergeIdentifierState(policy, person, address);
    expect(person.marketing).toEqual([
      {
        since: 100,
        evidenceId: 'c1',
        basis: 'consent',
        brands: ['nordlys'],
        channels: ['email'],
        productGroups: ['outdoor_gear'],
      },
    ]);
    // A contact later refused for running shoes cites the withdrawal, as if it came under the person.
    expect(person.contactRefused).toMatchObject({ evidenceId: 'w1', rule: 'R18' });
  });

  it("a refusal under the identifier is cited for the person's purposes without a grant (R27)", () => {
    const address = emptySubjectState();
    address.refused = {
      'email.newsletter': { evidenceId: 'r1', rule: 'R1', reason: 'pre-ticked box' },
      'seg.purchase_history': { evidenceId: 'r1', rule: 'R1', reason: 'pre-ticked box' },
    };
    const person = customer();
    mergeIdentifierState(policy, person, address, true);
    expect(person.refused['seg.purchase_history']).toMatchObject({ evidenceId: 'r1', rule: 'R1' });
    // The person's own grant stands and needs no citation.
    expect(person.refused['email.newsletter']).toBeUndefined();
    expect(person.purposes['email.newsletter']).toBeDefined();
  });

  it('a grant the person gave after the withdrawal survives it', () => {
    const address = emptySubjectState();
    keepStop(address, withdrawal('w1', null, true), 50);
    const person = customer();
    mergeIdentifierState(policy, person, address);
    expect(person.marketing).toHaveLength(2);
    expect(person.purposes['email.newsletter']).toBeDefined();
  });

  it('an objection ends direct marketing granted before it and every soft opt-in, and is kept', () => {
    const address = emptySubjectState();
    address.objection = { at: 200, evidenceId: 'o1' };
    const person = customer();
    person.marketing.push({
      since: 400,
      evidenceId: 's1',
      basis: 'soft-opt-in',
      brands: ['nordlys'],
      channels: ['email'],
      productGroups: ['running_shoes'],
    });
    mergeIdentifierState(policy, person, address);
    expect(person.objection).toEqual({ at: 200, evidenceId: 'o1' });
    expect(person.purposes['email.newsletter']).toBeUndefined();
    expect(person.withdrawn['email.newsletter']).toEqual({ at: 200, evidenceId: 'o1' });
    expect(person.marketing.map((g) => g.evidenceId)).toEqual(['c2']);
  });

  it("the identifier's grants join only where they clash with no stop; restrictions only joins none", () => {
    const address = emptySubjectState();
    address.purposes = {
      'seg.purchase_history': {
        since: 150,
        renewedAt: 150,
        evidenceId: 'a1',
        form: 'marketing-consent',
        source: 'marketing-consent',
      },
    };
    const refused = customer();
    mergeIdentifierState(policy, refused, address, true);
    expect(refused.purposes['seg.purchase_history']).toBeUndefined();
    const linked = customer();
    mergeIdentifierState(policy, linked, address);
    expect(linked.purposes['seg.purchase_history']?.evidenceId).toBe('a1');
    const withdrawnLater = customer();
    withdrawnLater.withdrawn = { 'seg.purchase_history': { at: 160, evidenceId: 'w9' } };
    mergeIdentifierState(policy, withdrawnLater, address);
    expect(withdrawnLater.purposes['seg.purchase_history']).toBeUndefined();
  });

  it('keeps the newest withdrawals only, replacing the list (a rollback snapshot keeps the old one)', () => {
    const address = emptySubjectState();
    keepStop(address, withdrawal('w0', null), 1);
    const before = address.stops;
    for (let i = 1; i <= MAX_STOPS; i++) keepStop(address, withdrawal(`w${i}`, null), i + 1);
    expect(before).toHaveLength(1);
    expect(address.stops).toHaveLength(MAX_STOPS);
    expect(address.stops?.[0]?.evidenceId).toBe('w1');
  });
});
