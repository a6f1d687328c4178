import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import { LineageQueries, type RecallReport } from '@app/audit-store';
import { type Request } from 'express';
import { Requires } from '../access/access.guard';
import { PersonAccessLog } from '../access/person-access.log';
import { type ConsentBehind, ConsentBehindQuery } from '../queries/consent-behind.query';
import { EventExplanation, type EventExplanationView } from '../queries/event-explanation.query';
import { DestinationQuery, EventParam, EvidenceParam, RecallQuery } from './audit-api.dto';
import { NoQueryPipe } from './no-query.pipe';

/** Questions about one event, one piece of evidence, one form version. Every call is access-logged. */
@ApiTags('lineage')
@ApiBearerAuth()
@ApiErrors()
@Controller('v1')
export class LineageController {
  constructor(
    private readonly explanations: EventExplanation,
    private readonly consent: ConsentBehindQuery,
    private readonly store: LineageQueries,
    private readonly accessLog: PersonAccessLog,
  ) {}

  @Get('events/:eventId/explain')
  @Requires('auditor')
  @ApiOperation({
    summary: 'Why each field of one event reached, or did not reach, each destination',
    description:
      'The lines are those `govern explain` prints for the same decision; the rendered decisions come with them.',
  })
  async explain(
    @Param() p: EventParam,
    @Query() q: DestinationQuery,
    @Req() req: Request,
  ): Promise<EventExplanationView> {
    const view = await this.explanations.explain(p.eventId, q.destination);
    await this.accessLog.record(req, view.subjects);
    return view;
  }

  @Get('evidence/:evidenceId')
  @Requires('auditor')
  @ApiOperation({
    summary: 'The consent behind a decision',
    description:
      'The assessment of one piece of evidence (valid or not and why, form version, kind, time, purposes granted), its confirmation, and what followed: withdrawals, objections, suppressions.',
  })
  async evidence(
    @Param() p: EvidenceParam,
    @Query(NoQueryPipe) _q: undefined,
    @Req() req: Request,
  ): Promise<ConsentBehind> {
    const found = await this.consent.of(p.evidenceId);
    await this.accessLog.record(req, found.subject === null ? [] : [found.subject]);
    return found;
  }

  @Get('recalls')
  @Requires('auditor')
  @ApiOperation({
    summary:
      'Everyone forwarded to a tool, or contacted, under evidence of one consent form or banner version',
    description:
      'Counts per destination (persons and decisions whose forwarded data or contact permission relied on evidence captured on the version), then the persons who gave such evidence, paged, each with the destinations reached.',
  })
  async recall(@Query() q: RecallQuery, @Req() req: Request): Promise<RecallReport> {
    const found = await this.store.recallByFormVersion(q.formVersion, { cursor: q.cursor, limit: q.limit });
    await this.accessLog.record(
      req,
      found.page.items.map((i) => i.subject),
    );
    return found;
  }
}
