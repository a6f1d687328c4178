import { type PseudonymKeyring } from '@app/policy';

/**
 * The engine tests' pseudonym keyring, as the two settings hold it: not the public demo keyring,
 * which the engine refuses outside demo mode. Its secrets are in the sources, so it is fit for
 * generated test data only. `t1` is retired: pseudonyms are made with `t2`.
 */
export const PSEUDONYM_KEYS_ENV = {
  GOVERN_PSEUDONYM_KEYS:
    't1=engine-test-retired-secret-of-32-bytes-or-more,t2=engine-test-active-secret-of-32-bytes-or-more',
  GOVERN_PSEUDONYM_ACTIVE_KEY: 't2',
} as const;

/** {@link PSEUDONYM_KEYS_ENV} as the engine and dry-run take it. */
export const PSEUDONYM_KEYS: PseudonymKeyring = {
  activeKeyId: 't2',
  secrets: new Map([
    ['t1', 'engine-test-retired-secret-of-32-bytes-or-more'],
    ['t2', 'engine-test-active-secret-of-32-bytes-or-more'],
  ]),
};
