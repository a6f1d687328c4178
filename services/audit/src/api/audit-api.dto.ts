import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { AUDIT_ROLES, type AuditRole } from '@app/persistence';
import { DEFAULT_PAGE, MAX_PAGE } from './page';

/**
 * Inputs of the auditor API. Every field is bounded and typed; messages name the field and the
 * rule, never the value (class-validator's `$value` is not used anywhere).
 */

/** Printable text without control characters (ids, form versions). */
const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;
/** A lineage pseudonym: `<keyId>:<32 hex>`. */
export const PSEUDONYM = /^[a-z0-9][a-z0-9-]{0,15}:[0-9a-f]{32}$/;
const DESTINATION = /^[a-z][a-z0-9_-]{0,63}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FORM_VERSION = /^[A-Za-z0-9][A-Za-z0-9._:+-]*$/;

export class PageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200, { message: 'cursor must be a nextCursor returned by this list' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE, { message: `limit must be at most ${MAX_PAGE}` })
  limit: number = DEFAULT_PAGE;
}

export class PersonSearchBody {
  @ApiProperty({
    description:
      'an identifier the person is known by (customer id, e-mail address in any case, cookie id); never stored or logged',
    maxLength: 320,
  })
  @IsString({ message: 'identifier must be a string' })
  @Length(1, 320, { message: 'identifier must be 1 to 320 characters' })
  @Matches(PRINTABLE, { message: 'identifier must not contain control characters' })
  identifier!: string;
}

export class SubjectParam {
  @ApiProperty({ description: 'a lineage pseudonym (`<keyId>:<32 hex digits>`) from a person search' })
  @Matches(PSEUDONYM, {
    message: 'subject must be a lineage pseudonym <keyId>:<32 hex digits> from a person search',
  })
  subject!: string;
}

export class EventParam {
  @ApiProperty({ maxLength: 256 })
  @Length(1, 256, { message: 'eventId must be 1 to 256 characters' })
  @Matches(PRINTABLE, { message: 'eventId must not contain control characters' })
  eventId!: string;
}

export class EvidenceParam {
  @ApiProperty({ maxLength: 256 })
  @Length(1, 256, { message: 'evidenceId must be 1 to 256 characters' })
  @Matches(PRINTABLE, { message: 'evidenceId must not contain control characters' })
  evidenceId!: string;
}

export class KeyParam {
  @ApiProperty({ description: 'the 16 hex digits after gov_' })
  @Matches(/^[0-9a-f]{16}$/, { message: 'keyId must be the 16 hex digits after gov_' })
  keyId!: string;
}

export class DestinationQuery {
  @ApiPropertyOptional({ description: 'one destination of the policy' })
  @IsOptional()
  @Matches(DESTINATION, { message: 'destination must be a destination name of the policy' })
  destination?: string;
}

export class TimelineQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'from this time (RFC 3339), inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an RFC 3339 time' })
  from?: string;

  @ApiPropertyOptional({ description: 'before this time (RFC 3339), exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an RFC 3339 time' })
  to?: string;

  @ApiPropertyOptional({ description: 'render decisions for this destination only' })
  @IsOptional()
  @Matches(DESTINATION, { message: 'destination must be a destination name of the policy' })
  destination?: string;
}

export class RecallQuery extends PageQuery {
  @ApiProperty({
    description: 'the consent form or banner version (as registered in the policy)',
    maxLength: 256,
  })
  @IsString({ message: 'formVersion must be a string' })
  @Length(1, 256, { message: 'formVersion must be 1 to 256 characters' })
  @Matches(FORM_VERSION, {
    message:
      'formVersion must be a form or banner version as the policy names it (letters, digits, . _ : + -)',
  })
  formVersion!: string;
}

export class StatisticsQuery extends DestinationQuery {
  @ApiPropertyOptional({ description: 'first day (YYYY-MM-DD, UTC), inclusive' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a day YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a valid day' })
  from?: string;

  @ApiPropertyOptional({ description: 'last day (YYYY-MM-DD, UTC), inclusive' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a day YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a valid day' })
  to?: string;
}

export class ExportQuery {
  @ApiPropertyOptional({ enum: ['json', 'html'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'html'], { message: 'format must be json or html' })
  format: 'json' | 'html' = 'json';
}

export class AccessLogQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'only requests that touched this lineage pseudonym' })
  @IsOptional()
  @Matches(PSEUDONYM, { message: 'subject must be a lineage pseudonym <keyId>:<32 hex digits>' })
  subject?: string;
}

export class CreateKeyBody {
  @ApiProperty({ enum: AUDIT_ROLES })
  @IsIn([...AUDIT_ROLES], { message: 'role must be auditor, dpo or admin' })
  role!: AuditRole;

  @ApiPropertyOptional({ maxLength: 100, description: 'what the key is for' })
  @IsOptional()
  @IsString({ message: 'label must be a string' })
  @Length(0, 100, { message: 'label must be at most 100 characters' })
  @Matches(/^[^\p{Cc}]*$/u, { message: 'label must not contain control characters' })
  label?: string;
}
