import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { lineagePseudonym } from '@app/policy';
import {
  buildConsentReceipt,
  type ConsentReceipt,
  type LedgerVerification,
  subjectChainHolds,
} from '@app/persistence';
import { AdminKeyGuard } from './admin-key.guard';
import { ConsentLedgerService } from './consent-ledger.service';

/** Longest subject key accepted, as the evidence contract bounds it. */
const MAX_SUBJECT_KEY = 256;

/**
 * The ledger's endpoints (admin API key): verify the whole chain; a person's consent receipt.
 * The subject key travels in a POST body, never in a URL (URLs end up in access logs).
 */
@Controller('ledger')
@UseGuards(AdminKeyGuard)
export class LedgerController {
  constructor(private readonly ledger: ConsentLedgerService) {}

  /** 200 when the chain holds; 409 naming the first broken row when it does not. */
  @Get('verify')
  async verify(
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<LedgerVerification> {
    const result = await this.ledger.reader.verify();
    if (!result.ok) res.status(409);
    return result;
  }

  @Post('receipts')
  @HttpCode(200)
  async receipt(@Body() body: unknown): Promise<ConsentReceipt> {
    const key = (body as { subjectKey?: unknown } | null)?.subjectKey;
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_SUBJECT_KEY)
      throw new BadRequestException(
        `subjectKey: must be a non-empty string of at most ${MAX_SUBJECT_KEY} characters`,
      );
    const keyring = this.ledger.keyring;
    // Under every key id: a person's rows from before a key rotation are theirs too.
    const pseudonyms = [...keyring.secrets.keys()].map((id) => lineagePseudonym(keyring, key, id));
    const rows = await this.ledger.reader.subjectRows(pseudonyms);
    if (rows.length === 0) throw new NotFoundException('the ledger holds no evidence for this subject');
    const found = [...new Set(rows.map((r) => r.subject).filter((s): s is string => s !== null))];
    return buildConsentReceipt(
      this.ledger.policy,
      found,
      rows,
      subjectChainHolds(rows),
      new Date().toISOString(),
    );
  }
}

/** GET /metrics in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly ledger: ConsentLedgerService) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.ledger.metricsText();
  }
}
