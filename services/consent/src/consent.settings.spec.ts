import { ConfigurationError, loadConfig } from '@app/service-kit';
import { ConsentSettings } from './consent.settings';

const KEYS = {
  GOVERN_PSEUDONYM_KEYS: 'c1=consent-settings-test-secret-of-32-bytes!',
  GOVERN_PSEUDONYM_ACTIVE_KEY: 'c1',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(ConsentSettings, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('consent service settings', () => {
  it('starts with a keyring, and closes the ledger endpoints when no admin key is set', () => {
    const s = loadConfig(ConsentSettings, KEYS);
    expect(s.HTTP_PORT).toBe(3002);
    expect(s.CONSENT_ADMIN_API_KEY).toBeUndefined();
    expect(s.CONSENT_GROUP_ID).toBe('consent-ledger');
  });

  it('refuses to start without a secret keyring outside demo mode', () => {
    expect(problems({})).toEqual([
      'GOVERN_PSEUDONYM_KEYS is not set: required: a keyring of secret keys (or GOVERN_DEMO_MODE=true for a demo)',
    ]);
    expect(problems({ GOVERN_DEMO_MODE: 'true' })).toEqual([]);
  });

  it('refuses a short admin key and a schema that is no plain identifier, without quoting them', () => {
    const found = problems({
      ...KEYS,
      CONSENT_ADMIN_API_KEY: 'short-secret',
      CONSENT_DATABASE_SCHEMA: 'x; drop',
    });
    expect(found).toEqual([
      'CONSENT_DATABASE_SCHEMA is set (value not shown): must be a lowercase PostgreSQL identifier',
      'CONSENT_ADMIN_API_KEY is set (value not shown): must be at least 32 characters',
    ]);
    expect(found.join('\n')).not.toContain('short-secret');
  });
});
