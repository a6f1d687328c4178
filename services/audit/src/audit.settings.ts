import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInt } from '@app/service-kit';
import { AuditAccessSettings } from './access/access.settings';

/** Audit service settings: broker (lineage topic), database (lineage store), access to the API. */
export class AuditSettings extends AuditAccessSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3004;
}
