import { type GatewayRuntime } from '../gateway.runtime';
import { AUTH_MESSAGES } from '../auth/source-auth';
import { GatewayError } from './gateway-error';

/** The first value of a header, as Fastify hands it over. */
export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Throws 429 with Retry-After when `key`'s bucket is empty. */
export function rateLimit(runtime: GatewayRuntime, endpoint: string, key: string, cost = 1): void {
  const wait = runtime.limit(key, cost);
  if (wait > 0) {
    runtime.metrics.refusals.inc({ endpoint, code: 'rate-limited' });
    throw new GatewayError(
      429,
      'rate-limited',
      `too many requests for this ${endpoint === 'events' ? 'source' : 'endpoint'}; retry after ${wait} s`,
      {
        'retry-after': String(wait),
      },
    );
  }
}

/** Throws 401 unless the request carries the source's key or a fresh signature of its secret. */
export function authenticate(
  runtime: GatewayRuntime,
  source: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  rawBody: Buffer,
  endpoint: 'events' | 'forms' = 'events',
): void {
  const failure = runtime.auth.check(source, {
    apiKey: header(headers['x-api-key']),
    timestamp: header(headers['x-gateway-timestamp']),
    signature: header(headers['x-gateway-signature']),
    rawBody,
  });
  if (failure !== null) {
    runtime.metrics.refusals.inc({ endpoint, code: failure });
    throw new GatewayError(401, failure, AUTH_MESSAGES[failure]);
  }
}
