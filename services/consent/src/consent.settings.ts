import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseSettings, KeyringSetting, toInt } from '@app/service-kit';
import { ACTIVE_KEY_VARIABLE, PSEUDONYM_KEYS_VARIABLE } from '@app/stream';

/**
 * Consent service settings: broker, database (the consent ledger lives in PostgreSQL), the policy
 * (evidence is assessed against it), the pseudonym keyring (subjects are stored by pseudonym, and
 * their data keys are wrapped under it) and the admin API key of the ledger endpoints.
 */
export class ConsentSettings extends DatabaseSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3002;

  /** The policy file (YAML): the same the engine enforces, so both assess evidence alike. */
  @Expose()
  @IsNotEmpty()
  POLICY_FILE = 'policies/example.yaml';

  /** The pseudonym keyring, as for the engine (`<keyId>=<secret>`, comma-separated). */
  @Expose()
  @KeyringSetting(PSEUDONYM_KEYS_VARIABLE)
  GOVERN_PSEUDONYM_KEYS?: string;

  @Expose()
  @KeyringSetting(ACTIVE_KEY_VARIABLE)
  GOVERN_PSEUDONYM_ACTIVE_KEY?: string;

  /** Demo mode: runs on the public demo keyring when none is set. */
  @Expose()
  @IsIn(['true', 'false'])
  GOVERN_DEMO_MODE = 'false';

  /** Consumer group of the ledger; also the key of its stored offsets. */
  @Expose()
  @IsNotEmpty()
  CONSENT_GROUP_ID = 'consent-ledger';

  /** Prepended to the evidence topic's name (as ENGINE_TOPIC_PREFIX for the engine). */
  @Expose()
  @IsString()
  CONSENT_TOPIC_PREFIX = '';

  /** Most records appended in one database transaction. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(2000)
  CONSENT_MAX_BATCH_RECORDS = 500;

  /** Readiness: at most this many offsets behind the evidence topic's end (transaction markers count). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  CONSENT_READY_MAX_LAG = 100;

  /** PostgreSQL schema of the ledger tables; unset: the connection's search path. */
  @Expose()
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lowercase PostgreSQL identifier' })
  CONSENT_DATABASE_SCHEMA?: string;

  /** Apply pending database migrations at start (`npm run migration:run` does it otherwise). */
  @Expose()
  @IsIn(['true', 'false'])
  CONSENT_MIGRATE_AT_START = 'false';

  /**
   * The API key of the ledger endpoints (verify, receipts), sent as `Authorization: Bearer <key>`.
   * Unset: those endpoints answer 503 (closed), never open.
   */
  @Expose()
  @IsOptional()
  @MinLength(32, { message: 'must be at least 32 characters' })
  CONSENT_ADMIN_API_KEY?: string;
}
