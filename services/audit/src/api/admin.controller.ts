import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { type Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import {
  type AccessLogEntry,
  AccessLogRepository,
  type ApiKeyListing,
  ApiKeyRepository,
} from '@app/persistence';
import { Requires } from '../access/access.guard';
import { PersonAccessLog } from '../access/person-access.log';
import { AUDIT_ACCESS_LOG, AUDIT_API_KEYS } from '../audit.constants';
import { ApiError, notFound } from './api-error';
import { AccessLogQuery, CreateKeyBody, KeyParam } from './audit-api.dto';
import { NoQueryPipe } from './no-query.pipe';
import { decodeCursor, type Page, pageOf } from './page';

/** Keys and the access log: admins only. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors()
@Controller('v1/admin')
@Requires('admin')
export class AdminController {
  constructor(
    @Inject(AUDIT_ACCESS_LOG) private readonly log: AccessLogRepository,
    @Inject(AUDIT_API_KEYS) private readonly keys: ApiKeyRepository,
    private readonly accessLogger: PersonAccessLog,
  ) {}

  @Get('access-log')
  @ApiOperation({
    summary: 'Who looked at which person (pseudonym), when and through which endpoint; newest first',
  })
  async accessLog(@Query() q: AccessLogQuery, @Req() req: Request): Promise<Page<AccessLogEntry>> {
    const before = decodeCursor(q.cursor);
    if (before !== undefined && !/^\d{1,19}$/.test(before))
      throw new ApiError('invalid-cursor', 'cursor must be a nextCursor returned by this list, unchanged');
    const rows = await this.log.page({ before, limit: q.limit + 1, subject: q.subject });
    // Reading who looked at whom is itself recorded (with the pseudonym asked about, if any), after
    // the page is read so that a page never lists its own reading.
    await this.accessLogger.record(req, q.subject === undefined ? [] : [q.subject]);
    return pageOf(rows, q.limit, (r) => r.id);
  }

  @Get('keys')
  @ApiOperation({ summary: 'API keys (id, role, label, dates; never a secret)' })
  async list(@Query(NoQueryPipe) _q: undefined): Promise<{ keys: ApiKeyListing[] }> {
    return { keys: await this.keys.list() };
  }

  @Post('keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key; the response is the only time its secret is shown' })
  create(
    @Body() body: CreateKeyBody,
    @Query(NoQueryPipe) _q: undefined,
  ): Promise<ApiKeyListing & { token: string }> {
    return this.keys.create(body.role, body.label ?? '');
  }

  @Delete('keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revoke(@Param() p: KeyParam, @Query(NoQueryPipe) _q: undefined): Promise<void> {
    if (!(await this.keys.revoke(p.keyId))) throw notFound('active API key');
  }
}
