import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AuditSinkService } from './audit-sink.service';

/** GET /metrics in the Prometheus text format (the lineage sink's figures). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly sink: AuditSinkService) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.sink.metricsText();
  }
}
