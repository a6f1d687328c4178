import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { KAFKA_SASL_MECHANISMS, type KafkaSaslMechanism } from '@app/kafka';
import { allLoopback, Holds, IsReadableFile } from './setting-checks';

const HOST_PORT_LIST = /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const toLowerCase = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

const sslOn = (s: KafkaSettings): boolean => s.KAFKA_SSL === 'true';
const NEEDS_SSL = 'needs KAFKA_SSL=true (without it the connection would not use TLS at all)';
const saslCredential = (s: KafkaSettings, value: unknown): boolean =>
  value !== undefined || s.KAFKA_SASL_MECHANISM !== undefined;

/**
 * Settings every service shares. Names are the environment variables (see README and
 * docs/security.md). Rules between them are checked at start so that a half-configured secure
 * connection stops the service instead of silently connecting without TLS or credentials.
 */
/**
 * A SASL username or password: required with a mechanism, refused without one (the credentials
 * would otherwise be ignored and the client would connect unauthenticated).
 */
function SaslCredential(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((s: KafkaSettings, value: unknown) => saslCredential(s, value)),
    IsNotEmpty({ message: 'must be set when KAFKA_SASL_MECHANISM is set' }),
    Holds(
      'needsMechanism',
      (_, s: KafkaSettings) => s.KAFKA_SASL_MECHANISM !== undefined,
      'needs KAFKA_SASL_MECHANISM (without it the credentials would be ignored)',
    ),
  );
}

/** Applies several property decorators as one (last listed runs first, as when stacked). */
function applyDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const d of [...decorators].reverse()) d(target, key);
  };
}

export class KafkaSettings {
  @Expose()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Expose()
  @IsNotEmpty()
  KAFKA_CLIENT_ID = 'consent-governance';

  /** TLS towards the brokers. */
  @Expose()
  @IsIn(['true', 'false'])
  KAFKA_SSL = 'false';

  /** PEM CA bundle the brokers' certificates chain to; absent: Node's default CAs. */
  @Expose()
  @IsOptional()
  @IsReadableFile()
  @Holds('needsSsl', (_, s: KafkaSettings) => sslOn(s), NEEDS_SSL)
  KAFKA_SSL_CA_FILE?: string;

  /** Client certificate (PEM) for mutual TLS; with KAFKA_SSL_KEY_FILE. */
  @Expose()
  @IsOptional()
  @IsReadableFile()
  @Holds('needsSsl', (_, s: KafkaSettings) => sslOn(s), NEEDS_SSL)
  @Holds(
    'needsKey',
    (_, s: KafkaSettings) => s.KAFKA_SSL_KEY_FILE !== undefined,
    'needs KAFKA_SSL_KEY_FILE too',
  )
  KAFKA_SSL_CERT_FILE?: string;

  /** Private key (PEM) of KAFKA_SSL_CERT_FILE. */
  @Expose()
  @IsOptional()
  @IsReadableFile()
  @Holds('needsSsl', (_, s: KafkaSettings) => sslOn(s), NEEDS_SSL)
  @Holds(
    'needsCert',
    (_, s: KafkaSettings) => s.KAFKA_SSL_CERT_FILE !== undefined,
    'needs KAFKA_SSL_CERT_FILE too',
  )
  KAFKA_SSL_KEY_FILE?: string;

  /** Verify the brokers' certificates and host names; `false` only for a test cluster. */
  @Expose()
  @IsIn(['true', 'false'])
  KAFKA_SSL_REJECT_UNAUTHORIZED = 'true';

  /** SASL mechanism (case-insensitive); absent: no authentication. */
  @Expose()
  @IsOptional()
  @Transform(toLowerCase)
  @IsIn([...KAFKA_SASL_MECHANISMS], { message: 'must be plain, scram-sha-256 or scram-sha-512' })
  @Holds(
    'plainNeedsTls',
    (value, s: KafkaSettings) =>
      value !== 'plain' ||
      sslOn(s) ||
      allLoopback(s.KAFKA_BROKERS) ||
      s.KAFKA_SASL_ALLOW_PLAINTEXT === 'true',
    'PLAIN sends the password readable on the wire: set KAFKA_SSL=true, use brokers on this machine only, ' +
      'or set KAFKA_SASL_ALLOW_PLAINTEXT=true to accept that',
  )
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  @Expose()
  @SaslCredential()
  KAFKA_SASL_USERNAME?: string;

  @Expose()
  @SaslCredential()
  KAFKA_SASL_PASSWORD?: string;

  /** Accept SASL PLAIN without TLS towards brokers on other machines. */
  @Expose()
  @IsIn(['true', 'false'])
  KAFKA_SASL_ALLOW_PLAINTEXT = 'false';

  /** Copies of each partition of every topic the project creates. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32767)
  KAFKA_REPLICATION_FACTOR = 1;

  /** `min.insync.replicas` of every topic the project creates. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Holds(
    'atMostReplicationFactor',
    (value, s: KafkaSettings) => typeof value !== 'number' || value <= s.KAFKA_REPLICATION_FACTOR,
    'must not exceed KAFKA_REPLICATION_FACTOR (no write could ever succeed)',
  )
  KAFKA_MIN_INSYNC_REPLICAS = 1;
}

export class HttpSettings extends KafkaSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  HTTP_PORT = 3000;

  @Expose()
  @IsNotEmpty()
  HTTP_HOST = '127.0.0.1';

  @Expose()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL = 'info';
}

export class DatabaseSettings extends HttpSettings {
  @Expose()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/consent_governance';
}

export { toInt };
