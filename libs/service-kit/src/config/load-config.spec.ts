import { ConfigurationError, loadConfig } from './load-config';
import { DatabaseSettings } from './common-settings';

describe('loadConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const settings = loadConfig(DatabaseSettings, {});
    expect(settings).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092',
      HTTP_PORT: 3000,
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/consent_governance',
    });
  });

  it('reads and converts the environment', () => {
    const settings = loadConfig(DatabaseSettings, { HTTP_PORT: '8080', KAFKA_BROKERS: 'a:1,b:2' });
    expect(settings.HTTP_PORT).toBe(8080);
    expect(settings.KAFKA_BROKERS).toBe('a:1,b:2');
  });

  it('names every malformed variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(DatabaseSettings, {
        HTTP_PORT: 'eighty',
        KAFKA_BROKERS: 'no port',
        DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as ConfigurationError).message;
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port');
    expect(message).toContain('DATABASE_URL: must be a postgres:// connection URL');
  });

  it('ignores variables the service does not know', () => {
    expect(() => loadConfig(DatabaseSettings, { PATH: '/usr/bin', UNRELATED: 'x' })).not.toThrow();
  });
});
