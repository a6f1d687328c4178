import { consentEvent, examplePolicy, sourceEvent } from '../../test/rule-fixture.harness';
import { GovernanceProcessor } from './governance.processor';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

/** The identity-link record of a login on cookie `ck1` after the given banner action. */
function linkReason(action: string, purposes: string[]): string | undefined {
  // Lineage v2 stores the refusal's reason code and rule; the words follow from the policy.
  const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  p.process(
    consentEvent({
      id: 'c1',
      subject: 'ck1',
      time: '2025-03-01T10:00:00Z',
      kind: 'cookie-banner',
      action,
      purposes,
    }),
  );
  const r = p.process(
    sourceEvent({
      id: 'e1',
      subject: 'CRM1',
      time: '2025-03-01T10:01:00Z',
      source: 'web',
      type: 'identity.linked',
      data: { cookieId: 'ck1' },
    }),
  );
  const link = r.lineage.find((l) => l.kind === 'identity-link');
  if (link?.kind !== 'identity-link') return undefined;
  return link.refusedBy === undefined ? 'linked' : `(${link.refusedBy.reason} / ${link.refusedBy.rule})`;
}

describe("a refused identity link (R25) names the rule that refused the identifier's consent (R27)", () => {
  it.each([
    ['close_x', ['cookie.marketing'], 'consent-invalid / R1'],
    ['accept_all', [], 'no-consent / R2'],
    ['reject_all', [], 'no-consent / R6'],
  ])('after %s', (action, purposes, cited) => {
    expect(linkReason(action, purposes)).toContain(`(${cited})`);
  });

  it('says nothing of a refusal when the link is made', () => {
    expect(linkReason('save_choices', ['cookie.marketing'])).toBe('linked');
  });
});

describe('a refused link of a declared identifier (R25) cites why', () => {
  it('names an address already linked to another customer as identifier-taken / R25', () => {
    const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const crm = (id: string, subject: string, time: string) =>
      p.process(
        sourceEvent({
          id,
          subject,
          time,
          source: 'crm',
          type: 'customer.updated',
          data: { email: 'shared@example.dk' },
        }),
      );
    const first = crm('e1', 'CUST1', '2025-03-01T10:01:00Z').lineage.find((l) => l.kind === 'identity-link');
    const second = crm('e2', 'CUST2', '2025-03-01T10:02:00Z').lineage.find((l) => l.kind === 'identity-link');
    expect(first).toMatchObject({ linked: true });
    expect(first).not.toHaveProperty('refusedBy');
    expect(second).toMatchObject({ linked: false, refusedBy: { reason: 'identifier-taken', rule: 'R25' } });
  });
});
