import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import { type Request, type Response } from 'express';
import { Requires } from '../access/access.guard';
import { PersonAccessLog } from '../access/person-access.log';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader } from '../lineage/lineage.reader';
import { accessExportHtml } from '../queries/access-export.html';
import { type AccessExport, AccessExportQuery } from '../queries/access-export.query';
import { type FoundSubject, PersonSearch } from '../queries/person-search.query';
import { SubjectTimeline, type TimelineItem } from '../queries/subject-timeline.query';
import { ExportQuery, PersonSearchBody, SubjectParam, TimelineQuery } from './audit-api.dto';
import { NoQueryPipe } from './no-query.pipe';
import { decodeCursor, type Page } from './page';

/** Persons: find by identifier, their timeline, their access export. Every call is access-logged. */
@ApiTags('persons')
@ApiBearerAuth()
@ApiErrors()
@Controller('v1/persons')
export class PersonsController {
  constructor(
    private readonly search: PersonSearch,
    private readonly timeline: SubjectTimeline,
    private readonly exports: AccessExportQuery,
    private readonly accessLog: PersonAccessLog,
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
  ) {}

  @Post('search')
  @HttpCode(200)
  @Requires('auditor')
  @ApiOperation({
    summary: 'Find a person by an identifier they are known by',
    description:
      'The identifier (customer id, e-mail address in any case, cookie id) is sent in the body, turned into its lineage pseudonym under every key id of the keyring, and never stored or logged. Returns the pseudonyms, including those an identity link joined.',
  })
  async find(
    @Body() body: PersonSearchBody,
    @Query(NoQueryPipe) _q: undefined,
    @Req() req: Request,
  ): Promise<{ subjects: FoundSubject[] }> {
    const subjects = await this.search.find(body.identifier);
    await this.accessLog.record(
      req,
      subjects.map((s) => s.pseudonym),
    );
    return { subjects };
  }

  @Get(':subject/timeline')
  @Requires('auditor')
  @ApiOperation({
    summary: "A person's consent evidence, decisions, links and suppressions in log order",
    description:
      'Decisions are rendered per destination: per attribute outcome, reason, rule, purpose, legal basis and evidence.',
  })
  async timelineOf(
    @Param() p: SubjectParam,
    @Query() q: TimelineQuery,
    @Req() req: Request,
  ): Promise<Page<TimelineItem>> {
    const after = decodeCursor(q.cursor);
    await this.accessLog.record(req, [p.subject]);
    return this.timeline.page(p.subject, {
      after,
      limit: q.limit,
      from: q.from,
      to: q.to,
      destination: q.destination,
    });
  }

  @Get(':subject/access-export')
  @Requires('dpo')
  @ApiOperation({
    summary: 'Art. 15 access export (JSON, or a printable HTML page with format=html)',
    description:
      'Paths held per source with purposes and bases, consent history, suppressions, and the recipients actually forwarded to, with dates (R29). Covers the pseudonyms an identity link joined.',
  })
  async accessExport(
    @Param() p: SubjectParam,
    @Query() q: ExportQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AccessExport | string> {
    const subjects = [
      p.subject,
      ...(await this.lineage.linkedSubjects([p.subject])).filter((s) => s !== p.subject),
    ];
    await this.accessLog.record(req, subjects);
    const found = await this.exports.build(subjects);
    if (q.format === 'json') return found;
    res.type('text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return accessExportHtml(found, new Date().toISOString());
  }
}
