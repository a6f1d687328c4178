import { inspect } from 'node:util';
import { join } from 'node:path';
import { saslCredentials, saslOptions, tlsOptions } from './kafka-security.options';

const FIXTURES = join(__dirname, '..', 'test', 'tls');

describe('tlsOptions', () => {
  it('verifies certificates unless explicitly told not to', () => {
    expect(tlsOptions({}).rejectUnauthorized).toBe(true);
    expect(tlsOptions({ rejectUnauthorized: true }).rejectUnauthorized).toBe(true);
    expect(tlsOptions({ rejectUnauthorized: false }).rejectUnauthorized).toBe(false);
  });

  it('reads the CA, certificate and key files', () => {
    const options = tlsOptions({
      caFile: join(FIXTURES, 'ca.pem'),
      certFile: join(FIXTURES, 'client.pem'),
      keyFile: join(FIXTURES, 'client.key.pem'),
    });
    expect(String(options.ca)).toContain('BEGIN CERTIFICATE');
    expect(String(options.cert)).toContain('BEGIN CERTIFICATE');
    expect(String(options.key)).toContain('PRIVATE KEY');
  });

  it('refuses a certificate without its key', () => {
    expect(() => tlsOptions({ certFile: join(FIXTURES, 'client.pem') })).toThrow(
      'a client certificate and its key go together',
    );
  });

  it('names the role of a file it cannot read, not its contents', () => {
    expect(() => tlsOptions({ caFile: join(FIXTURES, 'missing.pem') })).toThrow(
      'Kafka TLS: cannot read the CA file (ENOENT)',
    );
  });
});

describe('saslCredentials', () => {
  const credentials = saslCredentials('scram-sha-512', 'svc-engine', 's3cret-Pa55');

  it('keeps the password readable for the client', () => {
    expect(credentials.password).toBe('s3cret-Pa55');
    expect(saslOptions(credentials)).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc-engine',
      password: 's3cret-Pa55',
    });
  });

  it('leaves the password out when the settings are serialised or printed', () => {
    const settings = { brokers: 'b:9093', clientId: 'c', sasl: credentials };
    expect(JSON.stringify(settings)).not.toContain('s3cret-Pa55');
    expect(inspect(settings, { depth: 5 })).not.toContain('s3cret-Pa55');
    expect({ ...credentials }).toEqual({ mechanism: 'scram-sha-512', username: 'svc-engine' });
  });
});
