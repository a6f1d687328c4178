import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { QueryInputError } from '@app/audit-store';
import { ApiError, type ApiErrorBody } from './api-error';

/** Express body-parser errors carry a `type`; their messages may quote the body, so only the type counts. */
function bodyParserError(error: unknown): ApiError | null {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large')
    return new ApiError('body-too-large', 'the request body is too large (at most 16 kB)');
  if (type === 'entity.parse.failed') return new ApiError('body-not-json', 'the request body must be JSON');
  if (typeof type === 'string') return new ApiError('invalid-request', 'the request body could not be read');
  return null;
}

/**
 * Every error leaves as `{code, message}` from the closed set in api-error.ts. Nest's own HTTP
 * errors are mapped by status with a fixed message, since theirs can quote the request (an unknown
 * route echoes its path, which may hold an identifier). Unknown errors are logged by name only.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('audit-api');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    // Health checks answer in their own (terminus) format, 503 with each dependency's state.
    if (error instanceof HttpException && request.path.startsWith('/health/')) {
      response.status(error.getStatus()).json(error.getResponse());
      return;
    }
    const known =
      error instanceof ApiError
        ? error
        : error instanceof QueryInputError
          ? // The store's own input checks (a second line behind the DTOs): parameter and rule, no value.
            new ApiError(
              error.code === 'invalid-cursor' ? 'invalid-cursor' : 'invalid-request',
              error.message,
            )
          : (bodyParserError(error) ?? this.mapped(error));
    const body = known.getResponse() as ApiErrorBody;
    response.status(known.getStatus()).json(body);
  }

  private mapped(error: unknown): ApiError {
    if (error instanceof HttpException) {
      const status = error.getStatus();
      // Nest turns the body parser's SyntaxError into a 400 carrying the parser's message (which
      // may quote the body): only whether it was about JSON is read from it.
      const said = (error.getResponse() as { message?: unknown } | string | null) ?? '';
      const text = typeof said === 'string' ? said : String(said.message ?? '');
      if (status === HttpStatus.BAD_REQUEST && /\bJSON\b/.test(text))
        return new ApiError('body-not-json', 'the request body must be JSON');
      if (status === HttpStatus.NOT_FOUND) return new ApiError('route-not-found', 'no such route: see /docs');
      if (status === HttpStatus.PAYLOAD_TOO_LARGE)
        return new ApiError('body-too-large', 'the request body is too large (at most 16 kB)');
      if (status < 500) return new ApiError('invalid-request', 'the request is not valid: see /docs');
    }
    this.logger.error(`unexpected ${error instanceof Error ? error.name : typeof error}`);
    return new ApiError('internal', 'internal error: the request was not completed; try again or report it');
  }
}
