import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigurationError, loadConfig } from './load-config';
import { KafkaSettings } from './common-settings';
import { kafkaClientSettings, kafkaSettingsFromEnv, topicReplication } from './kafka-client-settings';

const TLS = join(__dirname, '..', '..', '..', 'kafka', 'test', 'tls');
const CA = join(TLS, 'ca.pem');
const PASSWORD = 'Pa55-word-never-printed';

/** The problems `env` has, or [] when it is valid. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(KafkaSettings, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('KafkaSettings', () => {
  it('defaults to plaintext without authentication and one replica', () => {
    const client = kafkaClientSettings(kafkaSettingsFromEnv({}));
    expect(client).toEqual({ brokers: '127.0.0.1:9092', clientId: 'consent-governance' });
    expect(topicReplication(kafkaSettingsFromEnv({}))).toEqual({
      replicationFactor: 1,
      minInsyncReplicas: 1,
    });
  });

  it('builds a SASL_SSL client: SCRAM-SHA-512 with a CA file, certificate checks on', () => {
    const settings = kafkaSettingsFromEnv({
      KAFKA_BROKERS: 'kafka-1.example.net:9096,kafka-2.example.net:9096',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'policy-engine',
      KAFKA_SASL_PASSWORD: PASSWORD,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    const client = kafkaClientSettings(settings, { clientId: 'govern-topics' });
    expect(client).toMatchObject({
      brokers: 'kafka-1.example.net:9096,kafka-2.example.net:9096',
      clientId: 'govern-topics',
      ssl: { caFile: CA, rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'policy-engine' },
    });
    expect(client.sasl?.password).toBe(PASSWORD);
    expect(JSON.stringify(client)).not.toContain(PASSWORD);
    expect(inspect(client, { depth: 5 })).not.toContain(PASSWORD);
    expect(topicReplication(settings)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('turns certificate checks off only when told explicitly', () => {
    const client = kafkaClientSettings(
      kafkaSettingsFromEnv({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }),
    );
    expect(client.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('needs a username and a password with a mechanism', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME is not set: must be set when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD is not set: must be set when KAFKA_SASL_MECHANISM is set',
    ]);
  });

  it('refuses credentials without a mechanism instead of connecting unauthenticated', () => {
    const found = problems({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(found).toHaveLength(2);
    expect(found[1]).toMatch(/^KAFKA_SASL_PASSWORD is set \(value not shown\): needs KAFKA_SASL_MECHANISM/);
  });

  it('refuses an unknown mechanism', () => {
    expect(
      problems({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual([
      'KAFKA_SASL_MECHANISM is set (value not shown): must be plain, scram-sha-256 or scram-sha-512',
    ]);
  });

  describe('PLAIN without TLS', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD };

    it('is refused towards another machine, with what to do', () => {
      const found = problems({ ...plain, KAFKA_BROKERS: '10.0.0.5:9094' });
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(
        'KAFKA_SASL_MECHANISM is set (value not shown): PLAIN sends the password readable on the wire',
      );
      expect(found[0]).toContain('KAFKA_SSL=true');
      expect(found[0]).toContain('KAFKA_SASL_ALLOW_PLAINTEXT=true');
    });

    it('is allowed towards brokers on this machine, with TLS, or when explicitly accepted', () => {
      expect(problems({ ...plain, KAFKA_BROKERS: '127.0.0.1:9094,localhost:9095' })).toEqual([]);
      expect(problems({ ...plain, KAFKA_BROKERS: '10.0.0.5:9094', KAFKA_SSL: 'true' })).toEqual([]);
      expect(
        problems({ ...plain, KAFKA_BROKERS: '10.0.0.5:9094', KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }),
      ).toEqual([]);
    });

    it('is checked against every broker of the list', () => {
      expect(problems({ ...plain, KAFKA_BROKERS: '127.0.0.1:9094,kafka:9094' })).toHaveLength(1);
    });
  });

  it('needs KAFKA_SSL=true for certificate files, readable files, and a key with a certificate', () => {
    const found = problems({
      KAFKA_SSL_CA_FILE: join(TLS, 'no-such-ca.pem'),
      KAFKA_SSL_CERT_FILE: join(TLS, 'client.pem'),
    });
    expect([...found].sort()).toEqual([
      'KAFKA_SSL_CA_FILE is set (value not shown): must name a readable file (it does not exist, is not a file, or this process may not read it)',
      'KAFKA_SSL_CA_FILE is set (value not shown): needs KAFKA_SSL=true (without it the connection would not use TLS at all)',
      'KAFKA_SSL_CERT_FILE is set (value not shown): needs KAFKA_SSL=true (without it the connection would not use TLS at all)',
      'KAFKA_SSL_CERT_FILE is set (value not shown): needs KAFKA_SSL_KEY_FILE too',
    ]);
    expect(found.join('\n')).not.toContain('no-such-ca');
  });

  it('accepts a client certificate with its key', () => {
    const settings = kafkaSettingsFromEnv({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: join(TLS, 'client.pem'),
      KAFKA_SSL_KEY_FILE: join(TLS, 'client.key.pem'),
    });
    expect(kafkaClientSettings(settings).ssl).toEqual({
      caFile: CA,
      certFile: join(TLS, 'client.pem'),
      keyFile: join(TLS, 'client.key.pem'),
      rejectUnauthorized: true,
    });
  });

  it('refuses more in-sync replicas than replicas', () => {
    expect(problems({ KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toEqual([
      'KAFKA_MIN_INSYNC_REPLICAS is set (value not shown): must not exceed KAFKA_REPLICATION_FACTOR (no write could ever succeed)',
    ]);
    expect(problems({ KAFKA_REPLICATION_FACTOR: '0' })[0]).toMatch(/^KAFKA_REPLICATION_FACTOR is set/);
  });

  it('never prints the password, whatever is wrong', () => {
    const found = problems({
      KAFKA_BROKERS: 'kafka.example.net:9094',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).not.toContain(PASSWORD);
  });
});
