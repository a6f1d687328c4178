import { ConfigurationError, loadConfig } from '@app/service-kit';
import { AuditSettings } from '../audit.settings';

const problems = (env: Record<string, string>): string => {
  try {
    loadConfig(AuditSettings, env);
    return '';
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
};

describe('auditor API access settings', () => {
  it('accepts API keys only (no OIDC) and a complete OIDC configuration', () => {
    expect(problems({})).toBe('');
    expect(
      problems({
        AUDIT_OIDC_JWKS_URL: 'https://login.example.com/.well-known/jwks.json',
        AUDIT_OIDC_ISSUER: 'https://login.example.com/',
        AUDIT_OIDC_AUDIENCE: 'auditor-api',
      }),
    ).toBe('');
    expect(
      problems({
        AUDIT_OIDC_JWKS_URL: 'http://127.0.0.1:8080/jwks',
        AUDIT_OIDC_ISSUER: 'i',
        AUDIT_OIDC_AUDIENCE: 'a',
      }),
    ).toBe('');
  });

  it('refuses OIDC without issuer and audience, and keys fetched in clear from another machine', () => {
    const half = problems({ AUDIT_OIDC_JWKS_URL: 'https://login.example.com/jwks' });
    expect(half).toContain('AUDIT_OIDC_ISSUER');
    expect(half).toContain('AUDIT_OIDC_AUDIENCE');
    expect(
      problems({
        AUDIT_OIDC_JWKS_URL: 'http://login.example.com/jwks',
        AUDIT_OIDC_ISSUER: 'i',
        AUDIT_OIDC_AUDIENCE: 'a',
      }),
    ).toContain('must be an https URL');
  });

  it('refuses a malformed keyring without quoting it', () => {
    const message = problems({
      GOVERN_PSEUDONYM_KEYS: 'k1-without-a-secret',
      GOVERN_PSEUDONYM_ACTIVE_KEY: 'k1',
    });
    expect(message).toContain('GOVERN_PSEUDONYM_KEYS');
    expect(message).not.toContain('k1-without-a-secret');
  });
});
