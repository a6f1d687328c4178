import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ConfigurationError, loadConfig } from '@app/service-kit';
import { GatewayRuntime } from './gateway.runtime';
import { GatewaySettings } from './gateway.settings';

const hash = createHash('sha256').update('key').digest('hex');
const secret = Buffer.alloc(32, 1).toString('base64');

function problems(env: Record<string, string>): string {
  try {
    loadConfig(GatewaySettings, env);
    return '';
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
}

describe('GatewaySettings', () => {
  it('accepts hashed keys and secrets, one method per source', () => {
    expect(
      problems({ GATEWAY_SOURCE_KEYS: `crm=${hash}`, GATEWAY_SOURCE_SECRETS: `checkout=${secret}` }),
    ).toBe('');
    expect(problems({ GATEWAY_SOURCE_KEYS: `crm=${hash}`, GATEWAY_SOURCE_SECRETS: `crm=${secret}` })).toMatch(
      /GATEWAY_SOURCE_SECRETS.*one method per source/,
    );
  });

  it('refuses a key that is not a sha256, and short secrets, without showing them', () => {
    const message = problems({
      GATEWAY_SOURCE_KEYS: 'crm=plain-text-key',
      GATEWAY_ENGAGEMENT_TOKEN_SECRET: 'c2hvcnQ=',
    });
    expect(message).toMatch(/GATEWAY_SOURCE_KEYS/);
    expect(message).toMatch(/GATEWAY_ENGAGEMENT_TOKEN_SECRET/);
    expect(message).not.toContain('plain-text-key');
    expect(message).not.toContain('c2hvcnQ=');
  });
});

describe('GatewayRuntime', () => {
  const settings = (env: Record<string, string>) => loadConfig(GatewaySettings, env);

  it('refuses credentials for a source the policy does not declare', () => {
    expect(() => new GatewayRuntime(settings({ GATEWAY_SOURCE_KEYS: `erp=${hash}` }))).toThrow(
      /a source the policy does not declare/,
    );
  });

  it('refuses an evidence source the policy does not accept evidence from', () => {
    expect(() => new GatewayRuntime(settings({ GATEWAY_EVIDENCE_SOURCE: 'crm' }))).toThrow(
      /GATEWAY_EVIDENCE_SOURCE/,
    );
  });

  it('refuses pixel tokens for a source without engagement events', () => {
    expect(
      () =>
        new GatewayRuntime(
          settings({ GATEWAY_ENGAGEMENT_TOKEN_SECRET: secret, GATEWAY_ENGAGEMENT_SOURCE: 'crm' }),
        ),
    ).toThrow(/GATEWAY_ENGAGEMENT_SOURCE/);
    expect(() => new GatewayRuntime(settings({ GATEWAY_ENGAGEMENT_SOURCE: 'crm' }))).not.toThrow();
  });
});
