import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, Matches, Max, Min } from 'class-validator';

const HOST_PORT_LIST = /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Settings every service shares. Names are the environment variables (see README). */
export class KafkaSettings {
  @Expose()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Expose()
  @IsNotEmpty()
  KAFKA_CLIENT_ID = 'consent-governance';
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
