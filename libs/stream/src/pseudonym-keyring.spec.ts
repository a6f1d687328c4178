import { DEMO_PSEUDONYM_KEYRING } from '@app/policy';
import {
  describeKeyringProblems,
  engineKeyring,
  keyringWeaknesses,
  MIN_SECRET_BYTES,
  parsePseudonymKeyring,
} from './pseudonym-keyring';

const A = 'a-secret-of-at-least-thirty-two-bytes-1';
const B = 'b-secret-of-at-least-thirty-two-bytes-2';

/** Every problem line for these settings, as an operator reads them. */
function lines(keys: string | undefined, active: string | undefined): string[] {
  const { keyring, problems } = parsePseudonymKeyring(keys, active);
  return describeKeyringProblems(keyring === null ? problems : keyringWeaknesses(keyring));
}

describe('parsePseudonymKeyring', () => {
  it('reads key ids, secrets (which may hold "=") and the active id', () => {
    const { keyring, problems } = parsePseudonymKeyring(`2025-06=${A}, 2026-12=${B}==`, '2026-12');
    expect(problems).toEqual([]);
    expect(keyring?.activeKeyId).toBe('2026-12');
    expect([...(keyring?.secrets ?? [])]).toEqual([
      ['2025-06', A],
      ['2026-12', `${B}==`],
    ]);
  });

  it('is no keyring at all when neither variable is set', () => {
    expect(parsePseudonymKeyring(undefined, undefined)).toEqual({ keyring: null, problems: [] });
    expect(parsePseudonymKeyring('  ', '')).toEqual({ keyring: null, problems: [] });
  });

  it.each([
    ['an entry without "="', `k1${A}`, 'k1', /GOVERN_PSEUDONYM_KEYS .*entry 1 is not <keyId>=<secret>/],
    ['an empty secret', `k1=${A},k2=`, 'k1', /entry 2 is not <keyId>=<secret>/],
    ['a repeated key id', `k1=${A},k1=${B}`, 'k1', /entry 2 repeats a key id/],
    ['a key id with a colon', `k:1=${A}`, 'k:1', /every key id must be 1-16 lowercase letters/],
    ['an upper-case key id', `K1=${A}`, 'K1', /every key id must be/],
    [
      'an active id without a secret',
      `k1=${A}`,
      'k2',
      /GOVERN_PSEUDONYM_ACTIVE_KEY .*must be one of the key ids/,
    ],
    ['no active id', `k1=${A}`, undefined, /GOVERN_PSEUDONYM_ACTIVE_KEY .*must be one of the key ids/],
    [
      'an active id without a keyring',
      undefined,
      'k1',
      /GOVERN_PSEUDONYM_ACTIVE_KEY .*needs GOVERN_PSEUDONYM_KEYS/,
    ],
  ])('refuses %s, never quoting a value', (_name, keys, active, message) => {
    const found = lines(keys, active);
    expect(found.join('\n')).toMatch(message);
    for (const line of found) {
      expect(line).toContain('(value not shown)');
      expect(line).not.toContain(A.slice(0, 12));
      expect(line).not.toContain(B.slice(0, 12));
    }
  });
});

describe('keyringWeaknesses', () => {
  it(`refuses a secret under ${MIN_SECRET_BYTES} bytes, counted in bytes`, () => {
    expect(lines('k1=short', 'k1')).toEqual([
      `GOVERN_PSEUDONYM_KEYS (value not shown): every secret must be at least ${MIN_SECRET_BYTES} bytes`,
    ]);
    // Sixteen two-byte characters are 32 bytes.
    expect(lines(`k1=${'æ'.repeat(16)}`, 'k1')).toEqual([]);
    expect(lines(`k1=${'x'.repeat(MIN_SECRET_BYTES - 1)}`, 'k1')).toHaveLength(1);
  });

  it('refuses the public demo key, under its id or another', () => {
    expect(lines(`demo=${A}`, 'demo').join()).toContain('holds the public demo key');
    expect(keyringWeaknesses({ ...DEMO_PSEUDONYM_KEYRING }).map((p) => p.problem)).toContain(
      'holds the public demo key',
    );
  });

  it('refuses one secret under two ids: that would rotate nothing', () => {
    expect(lines(`k1=${A},k2=${A}`, 'k2')).toEqual([
      'GOVERN_PSEUDONYM_KEYS (value not shown): the same secret appears under two key ids',
    ]);
  });
});

describe('engineKeyring', () => {
  const good = parsePseudonymKeyring(`k1=${A},k2=${B}`, 'k2').keyring ?? undefined;

  it('takes a secret keyring as it is', () => {
    expect(engineKeyring(good, false)).toBe(good);
  });

  it('refuses no keyring outside demo mode, naming the settings', () => {
    expect(() => engineKeyring(undefined, false)).toThrow(
      /^GOVERN_PSEUDONYM_KEYS is unset: set a keyring of secret keys and GOVERN_PSEUDONYM_ACTIVE_KEY/,
    );
  });

  it('refuses weak keys outside demo mode without quoting them', () => {
    const weak = { activeKeyId: 'k1', secrets: new Map([['k1', 'short-secret']]) };
    expect(() => engineKeyring(weak, false)).toThrow(/at least 32 bytes/);
    expect(() => engineKeyring(weak, false)).not.toThrow(/short-secret/);
    expect(() => engineKeyring(DEMO_PSEUDONYM_KEYRING, false)).toThrow(/public demo key/);
  });

  it('runs on the public demo keyring in demo mode, named so in every pseudonym', () => {
    expect(engineKeyring(undefined, true)).toBe(DEMO_PSEUDONYM_KEYRING);
    expect(DEMO_PSEUDONYM_KEYRING.activeKeyId).toBe('demo');
  });

  it('refuses a malformed keyring even in demo mode', () => {
    expect(() => engineKeyring({ activeKeyId: 'x', secrets: new Map([['k1', A]]) }, true)).toThrow(
      /must be one of the key ids/,
    );
  });
});
