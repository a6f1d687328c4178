import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { HttpSettings, toInt } from '@app/service-kit';

/** Gateway settings: the common ones, on its own default port. */
export class GatewaySettings extends HttpSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3001;
}
