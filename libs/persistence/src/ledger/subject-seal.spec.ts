import { DEMO_PSEUDONYM_KEYRING, type PseudonymKeyring } from '@app/policy';
import { splitEvidence } from './evidence-split';
import { newSubjectKey, openForSubject, sealForSubject, unwrapSubjectKey } from './subject-seal';

const keyring: PseudonymKeyring = {
  activeKeyId: 'k2',
  secrets: new Map([
    ['k1', 'a'.repeat(32)],
    ['k2', 'b'.repeat(32)],
  ]),
};

describe('per-subject sealing (crypto-shredding)', () => {
  it('opens what it sealed only with the subject key and under the same subject', () => {
    const { wrapped, key } = newSubjectKey(keyring, 'k2:abc');
    expect(wrapped.wrapKeyId).toBe('k2');
    expect(unwrapSubjectKey(keyring, wrapped).equals(key)).toBe(true);
    const sealed = sealForSubject(key, 'k2:abc', '{"subject":{"key":"cust-1"}}');
    expect(sealed).not.toContain('cust-1');
    expect(openForSubject(key, 'k2:abc', sealed)).toBe('{"subject":{"key":"cust-1"}}');
    expect(() => openForSubject(key, 'k2:other', sealed)).toThrow();
    expect(() => openForSubject(newSubjectKey(keyring, 'k2:abc').key, 'k2:abc', sealed)).toThrow();
  });

  it('cannot unwrap a key moved to another subject, or without the keyring secret', () => {
    const { wrapped } = newSubjectKey(keyring, 'k2:abc');
    expect(() => unwrapSubjectKey(keyring, { ...wrapped, subject: 'k2:def' })).toThrow();
    expect(() => unwrapSubjectKey(DEMO_PSEUDONYM_KEYRING, wrapped)).toThrow();
  });

  it('keeps identifiers, the page URL and an order id out of the open part', () => {
    const { open, identifying } = splitEvidence({
      evidenceId: 'ev1',
      kind: 'soft-opt-in-notice',
      subject: { key: 'cust-1', identifiers: { email: 'p@example.com' } },
      timestamp: '2025-01-01T00:00:00Z',
      url: 'https://shop.example/checkout?email=p@example.com',
      sale: { completed: true, orderId: 'o-77', productGroups: ['running_shoes'] },
    });
    const text = JSON.stringify(open);
    for (const secret of ['cust-1', 'p@example.com', 'o-77', 'shop.example'])
      expect(text).not.toContain(secret);
    expect(open.sale).toEqual({ completed: true, productGroups: ['running_shoes'] });
    expect(identifying).toEqual({
      subject: { key: 'cust-1', identifiers: { email: 'p@example.com' } },
      url: 'https://shop.example/checkout?email=p@example.com',
      orderId: 'o-77',
    });
  });
});
