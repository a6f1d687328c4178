import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { GovernedStreamService } from './governed-stream.service';

/** GET /metrics in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly stream: GovernedStreamService) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  metrics(): Promise<string> {
    return this.stream.metricsText();
  }
}
