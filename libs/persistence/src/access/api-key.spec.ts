import { AUDIT_ROLES, generateApiKey, parseApiKey, roleCovers, sameDigest } from './api-key';

describe('API keys', () => {
  it('are gov_<16 hex key id>_<43 base64url secret>, and parse back to the stored hash', () => {
    const key = generateApiKey();
    expect(key.token).toMatch(/^gov_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key.token);
    expect(parsed?.keyId).toBe(key.keyId);
    expect(sameDigest(parsed?.secretSha256 ?? Buffer.alloc(0), key.secretSha256)).toBe(true);
    expect(key.secretSha256.toString('hex')).not.toContain(key.token.slice(21));
  });

  it('are unique: 1,000 keys, 1,000 ids and secrets', () => {
    const keys = Array.from({ length: 1000 }, generateApiKey);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1000);
    expect(new Set(keys.map((k) => k.token)).size).toBe(1000);
  });

  it.each([
    '',
    'gov_',
    'Bearer x',
    `gov_0123456789ABCDEF_${'a'.repeat(43)}`,
    `gov_0123456789abcdef_${'a'.repeat(42)}`,
    `gov_0123456789abcdef_${'a'.repeat(43)}x`,
    `gov_0123456789abcdef_${'+'.repeat(43)}`,
  ])('refuses %j as not one of ours', (token) => {
    expect(parseApiKey(token)).toBeNull();
  });

  it('compares digests only of equal length', () => {
    expect(sameDigest(Buffer.from('ab'), Buffer.from('abc'))).toBe(false);
  });

  it('orders roles: each covers the ones below it and none above', () => {
    expect(
      AUDIT_ROLES.flatMap((held) =>
        AUDIT_ROLES.map((needed) => `${held}>=${needed}:${roleCovers(held, needed)}`),
      ),
    ).toEqual([
      'auditor>=auditor:true',
      'auditor>=dpo:false',
      'auditor>=admin:false',
      'dpo>=auditor:true',
      'dpo>=dpo:true',
      'dpo>=admin:false',
      'admin>=auditor:true',
      'admin>=dpo:true',
      'admin>=admin:true',
    ]);
  });
});
