import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiProperty,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { API_ERRORS, type ApiErrorCode } from './api-error';

/** The body of every error, as OpenAPI describes it. */
export class ApiErrorBodyDto {
  @ApiProperty({ enum: Object.keys(API_ERRORS), description: 'stable error code' })
  code!: ApiErrorCode;

  @ApiProperty({ description: 'what to fix; never repeats a value that was sent' })
  message!: string;
}

/** The errors every route of the auditor API can answer, with their `{code, message}` body. */
export function ApiErrors(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiBadRequestResponse({
      type: ApiErrorBodyDto,
      description: 'invalid-request, invalid-cursor, body-not-json',
    }),
    ApiUnauthorizedResponse({
      type: ApiErrorBodyDto,
      description: 'credentials-missing, credentials-malformed, credentials-invalid',
    }),
    ApiForbiddenResponse({ type: ApiErrorBodyDto, description: 'role-insufficient' }),
    ApiNotFoundResponse({ type: ApiErrorBodyDto, description: 'not-found' }),
  );
}
