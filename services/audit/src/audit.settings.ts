import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { toInt } from '@app/service-kit';
import { AuditAccessSettings } from './access/access.settings';

/**
 * Audit service settings: broker (lineage topics), database (lineage store), the sink's retention,
 * and who may use the auditor API (AuditAccessSettings).
 */
export class AuditSettings extends AuditAccessSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3004;

  /** Run the lineage sink in this process (`false`: the API alone, over a store another process fills). */
  @Expose()
  @IsIn(['true', 'false'])
  AUDIT_SINK = 'true';

  /** Consumer group of the sink (offsets are kept in PostgreSQL, never committed to it). */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, {
    message: 'must be 1-200 letters, digits, dots, dashes or underscores',
  })
  AUDIT_GROUP_ID = 'audit-sink';

  /** The engine's ENGINE_TOPIC_PREFIX: the sink reads `<prefix>governance.lineage` and `…policy-versions`. */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{0,100}$/, {
    message: 'must be at most 100 letters, digits, dots, dashes or underscores',
  })
  AUDIT_TOPIC_PREFIX = '';

  /** Lineage kept in PostgreSQL, in days of record time (the lineage topic keeps 52 weeks). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  AUDIT_RETENTION_DAYS = 364;

  /** Monthly partitions created ahead of the current month. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24)
  AUDIT_PARTITIONS_AHEAD = 2;

  /** PostgreSQL schema of the store; absent: the connection's search path. */
  @Expose()
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  AUDIT_DATABASE_SCHEMA?: string;

  /** Apply pending migrations at start (otherwise `npm run migration:run` does it). */
  @Expose()
  @IsIn(['true', 'false'])
  AUDIT_MIGRATE = 'false';
}
