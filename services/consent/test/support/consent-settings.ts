import { join, resolve } from 'node:path';
import { type PseudonymKeyring } from '@app/policy';

export const ROOT = resolve(__dirname, '../../../..');
export const POLICY_FILE = join(ROOT, 'policies/example.yaml');
export const ADMIN_KEY = 'consent-ledger-test-admin-key-0123456789';

/** A test keyring (secrets in the sources: generated data only). */
export const KEYRING_ENV = {
  GOVERN_PSEUDONYM_KEYS:
    'l1=ledger-test-secret-number-one-of-32-bytes,l2=ledger-test-secret-number-two-of-32-bytes',
  GOVERN_PSEUDONYM_ACTIVE_KEY: 'l2',
} as const;

export const KEYRING: PseudonymKeyring = {
  activeKeyId: 'l2',
  secrets: new Map([
    ['l1', 'ledger-test-secret-number-one-of-32-bytes'],
    ['l2', 'ledger-test-secret-number-two-of-32-bytes'],
  ]),
};
