import { ConfigurationError, loadConfig } from '@app/service-kit';
import { PolicyEngineSettings } from './policy-engine.settings';

const A = 'a-secret-of-at-least-thirty-two-bytes-1';
const B = 'b-secret-of-at-least-thirty-two-bytes-2';

/** The configuration error's lines for `env`, or [] when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(PolicyEngineSettings, env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
}

describe('PolicyEngineSettings: the pseudonym keyring', () => {
  it('refuses to start without a keyring outside demo mode, naming the variable', () => {
    expect(problems({})).toEqual([
      'GOVERN_PSEUDONYM_KEYS is not set: required: a keyring of secret keys (or GOVERN_DEMO_MODE=true for a demo)',
    ]);
  });

  it.each([
    [
      'a short secret',
      { GOVERN_PSEUDONYM_KEYS: 'k1=govern-dry-run', GOVERN_PSEUDONYM_ACTIVE_KEY: 'k1' },
      /at least 32 bytes/,
    ],
    [
      'the public demo key id',
      { GOVERN_PSEUDONYM_KEYS: `demo=${A}`, GOVERN_PSEUDONYM_ACTIVE_KEY: 'demo' },
      /public demo key/,
    ],
    [
      'an unknown active id',
      { GOVERN_PSEUDONYM_KEYS: `k1=${A}`, GOVERN_PSEUDONYM_ACTIVE_KEY: 'k9' },
      /^GOVERN_PSEUDONYM_ACTIVE_KEY is set \(value not shown\): must be one of the key ids/,
    ],
    [
      'no active id',
      { GOVERN_PSEUDONYM_KEYS: `k1=${A}` },
      /^GOVERN_PSEUDONYM_ACTIVE_KEY is not set: must be one of the key ids/,
    ],
    [
      'a malformed entry',
      { GOVERN_PSEUDONYM_KEYS: A, GOVERN_PSEUDONYM_ACTIVE_KEY: 'k1' },
      /^GOVERN_PSEUDONYM_KEYS is set \(value not shown\): entry 1 is not/,
    ],
  ])('refuses %s, never showing a value', (_name, env, message) => {
    const found = problems(env);
    expect(found.join('\n')).toMatch(message);
    expect(found.join('\n')).not.toMatch(/a-secret|govern-dry-run/);
  });

  it('accepts a secret keyring with retired keys, and no keyring in demo mode', () => {
    const s = loadConfig(PolicyEngineSettings, {
      GOVERN_PSEUDONYM_KEYS: `2025-06=${A},2026-12=${B}`,
      GOVERN_PSEUDONYM_ACTIVE_KEY: '2026-12',
    });
    expect(s.GOVERN_PSEUDONYM_ACTIVE_KEY).toBe('2026-12');
    expect(problems({ GOVERN_DEMO_MODE: 'true' })).toEqual([]);
  });
});
