import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import { processingRecord, type ProcessingRecordReport } from '@app/policy';
import { Requires } from '../access/access.guard';
import { PolicyVersions } from '../lineage/policy-versions';
import { dayRange, type Statistics, StatisticsQuery as Figures } from '../queries/statistics.query';
import { StatisticsQuery } from './audit-api.dto';
import { NoQueryPipe } from './no-query.pipe';

/** Reports that touch no person: the Art. 30 record and aggregate statistics (not access-logged). */
@ApiTags('reports')
@ApiBearerAuth()
@ApiErrors()
@Controller('v1')
export class ReportsController {
  constructor(
    private readonly policies: PolicyVersions,
    private readonly figures: Figures,
  ) {}

  @Get('reports/art30')
  @Requires('auditor')
  @ApiOperation({
    summary: 'Record of processing activities (Art. 30) generated from the policy the engine enforces',
  })
  async art30(@Query(NoQueryPipe) _q: undefined): Promise<ProcessingRecordReport> {
    return processingRecord(await this.policies.latest());
  }

  @Get('statistics/decisions')
  @Requires('auditor')
  @ApiOperation({
    summary: 'Attributes forwarded and withheld by reason, and suppressions, per destination and day (UTC)',
  })
  decisions(@Query() q: StatisticsQuery): Promise<Statistics> {
    return this.figures.decisions(dayRange(q.from, q.to, today()), q.destination);
  }

  @Get('statistics/dead-letters')
  @Requires('auditor')
  @ApiOperation({ summary: 'Dead letters per day (UTC) and code' })
  deadLetters(@Query() q: StatisticsQuery): Promise<Statistics> {
    return this.figures.deadLetters(dayRange(q.from, q.to, today()));
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
