import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { HttpSettings, KeyringSetting, toInt } from '@app/service-kit';
import { ACTIVE_KEY_VARIABLE, PSEUDONYM_KEYS_VARIABLE } from '@app/stream';

/** Policy engine settings; each name is the environment variable that sets it. */
export class PolicyEngineSettings extends HttpSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3003;

  /** The policy file (YAML) the engine enforces. */
  @Expose()
  @IsNotEmpty()
  POLICY_FILE = 'policies/example.yaml';

  /**
   * The pseudonym keyring: `<keyId>=<secret>` entries separated by commas. Every secret at least 32
   * bytes, distinct, not the public demo key; retired ids stay so the audit trail can be read. Give
   * `govern dry-run` the same two variables to compare its output with the engine's. Only demo mode
   * runs without it (on the public demo keyring).
   */
  @Expose()
  @KeyringSetting(PSEUDONYM_KEYS_VARIABLE)
  GOVERN_PSEUDONYM_KEYS?: string;

  /** The key id of the keyring new pseudonyms are made with (rotation: add a key, then switch). */
  @Expose()
  @KeyringSetting(ACTIVE_KEY_VARIABLE)
  GOVERN_PSEUDONYM_ACTIVE_KEY?: string;

  /** Demo mode: generated data only; accepts no keyring (the public demo keyring) or weak keys. */
  @Expose()
  @IsIn(['true', 'false'])
  GOVERN_DEMO_MODE = 'false';

  /** Consumer group; instances with the same group share the tasks (partitions). */
  @Expose()
  @IsNotEmpty()
  ENGINE_GROUP_ID = 'policy-engine';

  /** Prepended to every topic name (isolated test and demo runs); empty in production. */
  @Expose()
  @IsString()
  ENGINE_TOPIC_PREFIX = '';

  /** Partitions of the inputs, the changelog and the outputs when the engine creates them. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  ENGINE_PARTITIONS = 3;

  /** Most input records committed in one transaction. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  ENGINE_MAX_STEP_RECORDS = 2000;

  /** Records buffered per input partition before its fetching pauses. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(1000000)
  ENGINE_MAX_QUEUED = 10000;

  /**
   * Largest record the engine writes, key and headers included; at most the broker's
   * `max.message.bytes`. An input whose outputs (or resulting state) would not fit is dead-lettered.
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(10000)
  @Max(100 * 1024 * 1024)
  ENGINE_MAX_RECORD_BYTES = 1_000_000;

  /** Bytes buffered per input partition before its fetching pauses (as ENGINE_MAX_QUEUED, by size). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1024 * 1024)
  @Max(4 * 1024 * 1024 * 1024)
  ENGINE_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

  /** Whether the engine creates missing topics at start (`govern topics --apply` does it too). */
  @Expose()
  @IsIn(['true', 'false'])
  ENGINE_CREATE_TOPICS = 'true';

  /**
   * Identity routing (router stage plus state handover between tasks): needed for output equal to
   * dry-run when identity links join subjects in different partitions. `auto` (default) turns it on
   * when there is more than one partition and the policy declares an identity link; `false` turns
   * it off anyway (each partition then decides links on its own state, which can differ from
   * dry-run: fail-open for a linked alias, see docs/architecture.md).
   */
  @Expose()
  @IsIn(['auto', 'true', 'false'])
  ENGINE_IDENTITY_ROUTING = 'auto';
}
