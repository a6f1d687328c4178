import { Expose, Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, Max, Min } from 'class-validator';
import { HttpSettings, toInt } from '@app/service-kit';

/** Policy engine settings. */
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
}
