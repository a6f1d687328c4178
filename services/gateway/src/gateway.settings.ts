import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Holds, HttpSettings, toInt } from '@app/service-kit';

const SOURCE = '[a-z][a-z0-9_-]{0,63}';
const HEX_KEYS = new RegExp(`^${SOURCE}=[0-9a-f]{64}(,${SOURCE}=[0-9a-f]{64})*$`);
const SECRETS = new RegExp(`^${SOURCE}=[A-Za-z0-9+/=_-]{43,}(,${SOURCE}=[A-Za-z0-9+/=_-]{43,})*$`);
const SECRET = /^[A-Za-z0-9+/=_-]{43,}$/;
const HOSTS = /^([a-z0-9.-]{1,253})(,[a-z0-9.-]{1,253})*$/;
const SECRET_MESSAGE = 'must be base64 of at least 32 random bytes (e.g. `openssl rand -base64 32`)';

/** Source names of a `source=value,...` setting. */
export function sourcesOf(setting: string | undefined): string[] {
  return setting === undefined || setting === '' ? [] : setting.split(',').map((e) => e.split('=')[0]);
}

/**
 * Gateway settings; each name is the environment variable that sets it. Secrets are base64 and
 * never printed (a bad one is named, not shown).
 */
export class GatewaySettings extends HttpSettings {
  @Expose()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1)
  @Max(65535)
  override HTTP_PORT = 3001;

  /** The policy file: its sources, their topics and schemas, its banners and evidence topic. */
  @Expose()
  @IsNotEmpty()
  POLICY_FILE = 'policies/example.yaml';

  /** Prepended to every topic name (the engine's ENGINE_TOPIC_PREFIX); empty in production. */
  @Expose()
  @IsString()
  GATEWAY_TOPIC_PREFIX = '';

  /**
   * API keys of the sources that authenticate by key: `source=<sha256 hex of the key>,...`. Only
   * the hash is stored; the source sends the key in `X-Api-Key`.
   */
  @Expose()
  @IsOptional()
  @Matches(HEX_KEYS, { message: 'must be source=<64 lower-case hex digits of sha256(key)>,...' })
  GATEWAY_SOURCE_KEYS?: string;

  /**
   * Secrets of the sources that sign requests (HMAC-SHA256 of `<timestamp>.<body>`):
   * `source=<base64 secret of at least 32 bytes>,...`. A source is configured for one method only.
   */
  @Expose()
  @IsOptional()
  @Matches(SECRETS, { message: `must be source=<secret>,... where each secret ${SECRET_MESSAGE}` })
  @Holds(
    'oneMethodPerSource',
    (value, s: GatewaySettings) =>
      sourcesOf(value as string).every((source) => !sourcesOf(s.GATEWAY_SOURCE_KEYS).includes(source)),
    'names a source that GATEWAY_SOURCE_KEYS names too: configure one method per source',
  )
  GATEWAY_SOURCE_SECRETS?: string;

  /** How far a signed request's timestamp may be from the gateway's clock; also the replay window. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600)
  GATEWAY_SIGNATURE_MAX_AGE_S = 300;

  /** The CloudEvent source of the evidence the gateway produces: one of the policy's consent evidence sources. */
  @Expose()
  @Matches(new RegExp(`^${SOURCE}$`))
  GATEWAY_EVIDENCE_SOURCE = 'consent-service';

  /** The policy source whose `email.opened` and `email.clicked` types the pixel and click produce. */
  @Expose()
  @Matches(new RegExp(`^${SOURCE}$`))
  GATEWAY_ENGAGEMENT_SOURCE = 'email';

  /**
   * Secret of the pixel, click and unsubscribe tokens (shared with the e-mail tool that mints them) and of
   * the double opt-in confirmation links the gateway mints; unset: those endpoints are off.
   */
  @Expose()
  @IsOptional()
  @Matches(SECRET, { message: SECRET_MESSAGE })
  GATEWAY_ENGAGEMENT_TOKEN_SECRET?: string;

  /** Hosts a click may redirect to (exact names, comma-separated); https only. */
  @Expose()
  @IsOptional()
  @Matches(HOSTS, { message: 'must be a comma-separated list of lower-case host names' })
  GATEWAY_CLICK_HOSTS?: string;

  /** Secret of the site's signed subject tokens (browser endpoints); unset: no customer id is accepted from a browser. */
  @Expose()
  @IsOptional()
  @Matches(SECRET, { message: SECRET_MESSAGE })
  GATEWAY_SITE_TOKEN_SECRET?: string;

  /**
   * Origins whose pages may post banner callbacks from the browser (CORS), e.g.
   * `https://www.example.dk`; unset: none (a site then posts through its own origin).
   */
  @Expose()
  @IsOptional()
  @Matches(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?(,https?:\/\/[a-z0-9.-]+(:\d{1,5})?)*$/, {
    message: 'must be a comma-separated list of origins (scheme://host[:port])',
  })
  GATEWAY_CORS_ORIGINS?: string;

  /** CMP ids registered with IAB Europe that the site uses (TCF), comma-separated. */
  @Expose()
  @IsOptional()
  @Matches(/^\d{1,5}(,\d{1,5})*$/, { message: 'must be a comma-separated list of CMP ids' })
  GATEWAY_TCF_CMP_IDS?: string;

  /** The current Global Vendor List's TCF policy version (4 for TCF v2.2). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(99)
  GATEWAY_TCF_POLICY_VERSION = 4;

  /** Largest request body. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  GATEWAY_MAX_BODY_BYTES = 1024 * 1024;

  /** Most events in one batch POST. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  GATEWAY_MAX_BATCH = 500;

  /** Sustained requests per second per source (events) or per endpoint (browser endpoints). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  GATEWAY_RATE_PER_S = 500;

  /** Requests a source may send at once above its rate (the token bucket's size). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000000)
  GATEWAY_RATE_BURST = 1000;

  /** How long an accepted event id is remembered: a repeat within it is not produced again. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  GATEWAY_IDEMPOTENCY_WINDOW_S = 900;

  /** Most event ids remembered (the oldest go first). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000000)
  GATEWAY_IDEMPOTENCY_MAX_IDS = 100000;

  /** How long a request waits for the broker's acknowledgement before answering 503. */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  GATEWAY_PRODUCE_TIMEOUT_MS = 10000;

  /** Serve the OpenAPI description and its UI at /docs. */
  @Expose()
  @IsIn(['true', 'false'])
  GATEWAY_DOCS = 'true';
}
