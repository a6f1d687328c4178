import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  type LoggerService,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';

/** A refusal the caller can fix: an HTTP status, a stable code and what to fix (never an input value). */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The body every error answer has. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** Fastify's own request errors, by its error code: what to fix, in our words. */
const FASTIFY_ERRORS: Readonly<Record<string, [number, string, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'the request body exceeds the gateway limit'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'not-json', 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'not-json', 'the body is empty; send a JSON document'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'unsupported-media-type',
    'send Content-Type: application/json (or application/cloudevents+json, application/cloudevents-batch+json)',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad-content-length', 'Content-Length does not match the body'],
};

/**
 * Maps any error to a status, headers and `{code, message}`. Only our own refusals and known
 * framework errors say more than "internal error": other messages may quote input.
 */
export function errorAnswer(error: unknown): {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: ErrorBody;
} {
  if (error instanceof GatewayError)
    return {
      status: error.status,
      headers: error.headers,
      body: { code: error.code, message: error.message },
    };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FASTIFY_ERRORS[code] !== undefined) {
    const [status, ours, message] = FASTIFY_ERRORS[code];
    return { status, headers: {}, body: { code: ours, message } };
  }
  // Fastify's JSON parser reports a syntax error as a 400 without a code of its own.
  if (error instanceof SyntaxError && (error as { statusCode?: unknown }).statusCode === 400)
    return { status: 400, headers: {}, body: { code: 'not-json', message: 'the body is not valid JSON' } };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404)
      return { status, headers: {}, body: { code: 'not-found', message: 'no such endpoint; see /docs' } };
    // Nest hands Fastify's body errors over as HttpExceptions: read their status, never echo them.
    if (status === 413) return errorAnswer({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    if (status === 415) return errorAnswer({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    if (status === 400 && /json/i.test(error.message))
      return errorAnswer({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    return { status, headers: {}, body: { code: `http-${status}`, message: 'the request was refused' } };
  }
  return { status: 500, headers: {}, body: { code: 'internal', message: 'internal error' } };
}

/** Writes every error as `{code, message}`; unexpected ones are logged by name only. */
@Catch()
export class GatewayErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer = errorAnswer(error);
    if (answer.status >= 500 && !(error instanceof GatewayError))
      this.logger.error(
        `request failed: ${error instanceof Error ? error.name : 'error'}`,
        undefined,
        'gateway',
      );
    void reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
