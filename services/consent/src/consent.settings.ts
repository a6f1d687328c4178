import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DatabaseSettings, toInt } from '@app/service-kit';

/** Consent service settings: broker and database (the consent ledger lives in PostgreSQL). */
export class ConsentSettings extends DatabaseSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3002;
}
