import { HttpException } from '@nestjs/common';

/**
 * The closed set of error codes of the auditor API, with their HTTP status. A message says what to
 * fix; it never echoes what was sent (an identifier typed into a search is personal data).
 */
export const API_ERRORS = {
  'credentials-missing': 401,
  'credentials-malformed': 401,
  'credentials-invalid': 401,
  'role-insufficient': 403,
  'invalid-request': 400,
  'invalid-cursor': 400,
  'body-too-large': 413,
  'body-not-json': 400,
  'not-found': 404,
  'route-not-found': 404,
  'keyring-not-configured': 503,
  'policy-version-missing': 409,
  'lineage-unrenderable': 409,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of every error: `{code, message}`. */
export interface ApiErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
}

export class ApiError extends HttpException {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super({ code, message } satisfies ApiErrorBody, API_ERRORS[code]);
  }
}

/** "Not found" and "no access" read the same for a resource: an id reveals nothing by its answer. */
export const notFound = (what: string): ApiError => new ApiError('not-found', `no ${what} with this id`);
