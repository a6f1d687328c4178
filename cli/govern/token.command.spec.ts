import { engagementKeys, openEngagementToken } from '@app/contracts';
import { tokenCommand } from './token.command';

const SECRET = Buffer.alloc(32, 8);
const env = { GATEWAY_ENGAGEMENT_TOKEN_SECRET: SECRET.toString('base64') };

describe('govern token', () => {
  it('mints a token the gateway reads back, and prints its paths', () => {
    const out = tokenCommand(
      { campaign: 'spring', recipient: 'cust-1', link: 'https://shop.example/a' },
      env,
    );
    expect(out.exitCode).toBe(0);
    const token = out.lines[0].replace('token: ', '');
    expect(openEngagementToken(engagementKeys(SECRET), token)).toEqual({
      campaignId: 'spring',
      subjectKey: 'cust-1',
      link: 'https://shop.example/a',
    });
    expect(out.lines).toEqual([
      `token: ${token}`,
      `pixel: /v1/pixel/${token}.gif`,
      `click: /v1/click/${token}`,
    ]);
  });

  it('mints an unsubscribe token with keys of its own', () => {
    const out = tokenCommand({ campaign: 'spring', recipient: 'cust-1', unsubscribe: true }, env);
    const token = out.lines[0].replace('token: ', '');
    expect(out.lines[1]).toBe(`unsubscribe: /v1/unsubscribe/${token}`);
    expect(openEngagementToken(engagementKeys(SECRET, 'unsubscribe'), token)).not.toBeNull();
    expect(openEngagementToken(engagementKeys(SECRET), token)).toBeNull();
  });

  it('refuses a missing or short secret and bad options, naming them only', () => {
    expect(tokenCommand({ campaign: 'c', recipient: 'r' }, {}).lines[0]).toMatch(
      /GATEWAY_ENGAGEMENT_TOKEN_SECRET: required/,
    );
    expect(
      tokenCommand({ campaign: 'c', recipient: 'r' }, { GATEWAY_ENGAGEMENT_TOKEN_SECRET: 'c2hvcnQ=' })
        .exitCode,
    ).toBe(2);
    const bad = tokenCommand({ campaign: 'anna@example.dk', recipient: 'r' }, env);
    expect(bad.exitCode).toBe(2);
    expect(bad.lines[0]).toMatch(/^--campaign/);
    expect(bad.lines.join()).not.toContain('anna');
  });
});
