import { Expose } from 'class-transformer';
import { IsIn, IsNotEmpty, Matches } from 'class-validator';
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
    expect(message).toContain(
      'KAFKA_BROKERS is set (value not shown): must be a comma-separated list of host:port',
    );
    expect(message).toContain('DATABASE_URL is set (value not shown): must be a postgres:// connection URL');
  });

  it('never echoes a value: a password in a malformed URL stays out of the message', () => {
    const password = 'pw-Secret-4711';
    let error: unknown;
    try {
      loadConfig(DatabaseSettings, {
        DATABASE_URL: `mysql://admin:${password}@db.internal:3306/ledger`,
        KAFKA_BROKERS: `user:${password}@broker`,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as ConfigurationError).message;
    expect(message).toContain('DATABASE_URL is set (value not shown): must be a postgres:// connection URL');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).not.toContain(password);
    expect(message).not.toContain('db.internal');
  });

  it('masks a value that a rule message quotes', () => {
    class Quoting {
      @Expose()
      @Matches(/^ok$/, { message: 'must be ok, not $value' })
      TOKEN = 'ok';
    }
    expect(() => loadConfig(Quoting, { TOKEN: 'hunter2-secret' })).toThrow(
      'TOKEN is set (value not shown): must be ok, not <value not shown>',
    );
  });

  it('does not mangle the message around a short value', () => {
    class Choice {
      @Expose()
      @IsIn(['yes', 'no'])
      ANSWER = 'yes';
    }
    expect(() => loadConfig(Choice, { ANSWER: 's' })).toThrow(
      'ANSWER is set (value not shown): ANSWER must be one of the following values: yes, no',
    );
  });

  it('says that a required variable is not set', () => {
    class Required {
      @Expose()
      @IsNotEmpty({ message: 'must be set' })
      NEEDED?: string;
    }
    expect(() => loadConfig(Required, {})).toThrow('NEEDED is not set: must be set');
  });

  it('ignores variables the service does not know', () => {
    expect(() => loadConfig(DatabaseSettings, { PATH: '/usr/bin', UNRELATED: 'x' })).not.toThrow();
  });
});
