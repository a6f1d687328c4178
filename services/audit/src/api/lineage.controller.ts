import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import { type Request } from 'express';
import { Requires } from '../access/access.guard';
import { PersonAccessLog } from '../access/person-access.log';
import { type ConsentBehind, ConsentBehindQuery } from '../queries/consent-behind.query';
import { EventExplanation, type EventExplanationView } from '../queries/event-explanation.query';
import { FormRecall, type Recall } from '../queries/form-recall.query';
import { DestinationQuery, EventParam, EvidenceParam, RecallQuery } from './audit-api.dto';
import { NoQueryPipe } from './no-query.pipe';
import { decodeCursor } from './page';

/** Questions about one event, one piece of evidence, one form version. Every call is access-logged. */
@ApiTags('lineage')
@ApiBearerAuth()
@ApiErrors()
@Controller('v1')
export class LineageController {
  constructor(
    private readonly explanations: EventExplanation,
    private readonly consent: ConsentBehindQuery,
    private readonly recalls: FormRecall,
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
      'Counts per destination over all decisions; items (person, destination, event, evidence, paths) are paged.',
  })
  async recall(@Query() q: RecallQuery, @Req() req: Request): Promise<Recall> {
    const found = await this.recalls.recall(q.formVersion, { after: decodeCursor(q.cursor), limit: q.limit });
    await this.accessLog.record(
      req,
      found.items.map((i) => i.subject),
    );
    return found;
  }
}
