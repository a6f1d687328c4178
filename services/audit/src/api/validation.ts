import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error';

/** One line per broken rule: the DTO's own message (field and rule), never the value sent. */
function lines(errors: readonly ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) =>
      // An unknown field's name is input too (it could be anything): say what to do instead.
      rule === 'whitelistValidation'
        ? 'unknown field or parameter: only the ones listed in /docs are accepted'
        : message,
    );
    return [...own, ...lines(e.children ?? [], `${prefix}${e.property}.`)];
  });
}

/**
 * Every input of the API passes class-validator DTOs: unknown fields are refused, strings and
 * numbers are converted as declared, and the first answer to a bad request lists every rule it broke.
 */
export function auditValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ApiError(
        'invalid-request',
        [...new Set(lines(errors))].join('; ') || 'the request is not valid: see /docs',
      ),
  });
}
