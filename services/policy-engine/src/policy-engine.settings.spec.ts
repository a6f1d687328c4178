import { ConfigurationError, loadConfig } from '@app/service-kit';
import { PolicyEngineSettings } from './policy-engine.settings';

describe('PolicyEngineSettings: the pseudonym key', () => {
  it('refuses the public default (or none) outside demo mode, naming the variable, never the value', () => {
    for (const env of [{}, { GOVERN_PSEUDONYM_KEY: 'govern-dry-run' }, { GOVERN_PSEUDONYM_KEY: '  ' }]) {
      let error: unknown;
      try {
        loadConfig(PolicyEngineSettings, env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('GOVERN_PSEUDONYM_KEY');
      expect((error as Error).message).not.toContain('govern-dry-run');
    }
  });

  it('accepts a secret key, and the public default in demo mode', () => {
    expect(loadConfig(PolicyEngineSettings, { GOVERN_PSEUDONYM_KEY: 's3cret' }).GOVERN_PSEUDONYM_KEY).toBe(
      's3cret',
    );
    expect(loadConfig(PolicyEngineSettings, { GOVERN_DEMO_MODE: 'true' }).GOVERN_DEMO_MODE).toBe('true');
  });
});
