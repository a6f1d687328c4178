import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DatabaseSettings, toInt } from '@app/service-kit';

/** Audit service settings: broker (lineage topic) and database (lineage store). */
export class AuditSettings extends DatabaseSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3004;
}
