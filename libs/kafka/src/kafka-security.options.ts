import { readFileSync } from 'node:fs';
import { type ConnectionOptions } from 'node:tls';
import { type SASLOptions } from 'kafkajs';

/** TLS towards the brokers. File paths, read when the client is built. */
export interface KafkaTlsSettings {
  /**
   * PEM file with the CA certificate(s) the brokers' certificates chain to. Absent: the CAs Node
   * trusts by default. Present: only these (Node replaces its default list, it does not add to it).
   */
  readonly caFile?: string;
  /** Client certificate (PEM) for brokers that require mutual TLS; needs {@link keyFile}. */
  readonly certFile?: string;
  /** Private key (PEM) of {@link certFile}. */
  readonly keyFile?: string;
  /** Verify the brokers' certificates and host names. Only an explicit `false` turns this off. */
  readonly rejectUnauthorized?: boolean;
}

/** The SASL mechanisms the project configures (kafkajs's names; the broker's are upper case). */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** SASL credentials. Build with {@link saslCredentials} so the password is not enumerable. */
export interface KafkaSaslSettings {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

/**
 * SASL credentials whose password is a non-enumerable property: `JSON.stringify`, `util.inspect`
 * (console.log, most loggers) and object spreads leave it out, so logging a settings object by
 * mistake does not print it. Reading `.password` works as usual.
 */
export function saslCredentials(
  mechanism: KafkaSaslMechanism,
  username: string,
  password: string,
): KafkaSaslSettings {
  const credentials = { mechanism, username } as { mechanism: KafkaSaslMechanism; username: string };
  Object.defineProperty(credentials, 'password', { value: password, enumerable: false });
  return credentials as KafkaSaslSettings;
}

function readPem(file: string, role: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`Kafka TLS: cannot read the ${role} file (${code})`);
  }
}

/** Node TLS options for kafkajs: the files' contents, and certificate checks on unless disabled. */
export function tlsOptions(tls: KafkaTlsSettings): ConnectionOptions {
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error('Kafka TLS: a client certificate and its key go together; set both or neither');
  }
  return {
    rejectUnauthorized: tls.rejectUnauthorized !== false,
    ...(tls.caFile !== undefined ? { ca: readPem(tls.caFile, 'CA') } : {}),
    ...(tls.certFile !== undefined ? { cert: readPem(tls.certFile, 'client certificate') } : {}),
    ...(tls.keyFile !== undefined ? { key: readPem(tls.keyFile, 'client key') } : {}),
  };
}

/** kafkajs SASL options; built field by field because the password is not enumerable. */
export function saslOptions(sasl: KafkaSaslSettings): SASLOptions {
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}
