import { engagementKeys, mintEngagementToken, openEngagementToken } from './engagement-token';

const keys = engagementKeys(Buffer.alloc(32, 1));

describe('engagement tokens', () => {
  it('round-trip campaign, recipient and link, and hide the recipient', () => {
    const claims = {
      campaignId: 'spring-2026',
      subjectKey: 'anna@example.dk',
      link: 'https://shop.example/x',
    };
    const token = mintEngagementToken(keys, claims);
    expect(openEngagementToken(keys, token)).toEqual(claims);
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('anna');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuse tokens of another key, altered, truncated or not tokens at all', () => {
    const token = mintEngagementToken(keys, { campaignId: 'c', subjectKey: 's' });
    expect(openEngagementToken(engagementKeys(Buffer.alloc(32, 2)), token)).toBeNull();
    const raw = Buffer.from(token, 'base64url');
    raw[20] ^= 1;
    expect(openEngagementToken(keys, raw.toString('base64url'))).toBeNull();
    expect(openEngagementToken(keys, token.slice(0, -4))).toBeNull();
    for (const bad of ['', 'x', '!!!!', 'a'.repeat(5000), 42, null])
      expect(openEngagementToken(keys, bad)).toBeNull();
  });

  it('are bound to their use: a pixel token cannot unsubscribe, nor the reverse', () => {
    const secret = Buffer.alloc(32, 1);
    const pixel = mintEngagementToken(engagementKeys(secret), { campaignId: 'c', subjectKey: 's' });
    const unsubscribe = mintEngagementToken(engagementKeys(secret, 'unsubscribe'), {
      campaignId: 'c',
      subjectKey: 's',
    });
    expect(openEngagementToken(engagementKeys(secret, 'unsubscribe'), pixel)).toBeNull();
    expect(openEngagementToken(engagementKeys(secret), unsubscribe)).toBeNull();
    expect(openEngagementToken(engagementKeys(secret, 'unsubscribe'), unsubscribe)).not.toBeNull();
  });

  it('carry the confirmed evidence id and an expiry for a confirmation link, under keys of its own', () => {
    const secret = Buffer.alloc(32, 1);
    const confirmation = engagementKeys(secret, 'confirmation');
    const claims = {
      campaignId: 'double-opt-in',
      subjectKey: 'cust-1',
      confirms: 'ev-1',
      expiresAt: 1_800_000_000,
    };
    const token = mintEngagementToken(confirmation, claims);
    expect(openEngagementToken(confirmation, token)).toEqual(claims);
    expect(openEngagementToken(engagementKeys(secret, 'unsubscribe'), token)).toBeNull();
    expect(openEngagementToken(engagementKeys(secret), token)).toBeNull();
    expect(() => mintEngagementToken(confirmation, { ...claims, expiresAt: 1.5 })).toThrow('expiresAt');
    expect(() => mintEngagementToken(confirmation, { ...claims, confirms: 'a b' })).toThrow('confirms');
  });

  it('refuse to mint what could not be read back', () => {
    expect(() => mintEngagementToken(keys, { campaignId: 'has space', subjectKey: 's' })).toThrow(
      /campaignId/,
    );
    expect(() => mintEngagementToken(keys, { campaignId: 'c', subjectKey: '' })).toThrow(/subjectKey/);
    expect(() =>
      mintEngagementToken(keys, { campaignId: 'c', subjectKey: 's', link: 'javascript:alert(1)' }),
    ).toThrow(/link/);
    expect(() => engagementKeys(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
