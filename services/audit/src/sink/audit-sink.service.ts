import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Pool } from 'pg';
import { LineageSink } from '@app/audit-store';
import { kafkaClientSettings, type ReadinessCheck } from '@app/service-kit';
import { AUDIT_POOL, AUDIT_SETTINGS } from '../audit.constants';
import { type AuditSettings } from '../audit.settings';

const RETRY_MS = 5000;

/** Thin Nest adapter: starts the lineage sink with the app, stops it on shutdown, reports readiness. */
@Injectable()
export class AuditSinkService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'lineage-sink';
  private readonly logger = new Logger('lineage-sink');
  private sink: LineageSink | null = null;
  private starting: Promise<void> = Promise.resolve();
  private stopped = false;
  private startFailed = false;

  constructor(
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    @Inject(AUDIT_POOL) private readonly pool: Pool,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.AUDIT_SINK !== 'true') return;
    // In the background: the service answers health checks (not ready, with the reason) while the
    // database or the broker cannot be reached, and the sink starts once they can.
    this.starting = this.startWithRetries();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.sink?.stop();
  }

  /** Not ready before the sink joined its group, nor after its consumer crashed for good. */
  async check(): Promise<void> {
    if (this.settings.AUDIT_SINK !== 'true') return;
    if (this.sink?.isReady()) return;
    throw new Error(
      this.startFailed
        ? 'lineage sink not started (database, broker or lineage topics not there yet; retrying)'
        : 'lineage sink not consuming yet (joining its group) or crashed',
    );
  }

  async metricsText(): Promise<string> {
    return this.sink ? this.sink.metrics.registry.metrics() : '';
  }

  private newSink(): LineageSink {
    const s = this.settings;
    return new LineageSink({
      kafka: kafkaClientSettings(s, { clientId: `${s.KAFKA_CLIENT_ID}-audit-sink` }),
      pool: this.pool,
      groupId: s.AUDIT_GROUP_ID,
      topicPrefix: s.AUDIT_TOPIC_PREFIX,
      retentionDays: s.AUDIT_RETENTION_DAYS,
      monthsAhead: s.AUDIT_PARTITIONS_AHEAD,
      log: (message, fields) =>
        this.logger.log(
          [message, ...Object.entries(fields ?? {}).map(([k, v]) => `${k}=${String(v)}`)].join(' '),
        ),
    });
  }

  private async startWithRetries(): Promise<void> {
    while (!this.stopped) {
      const sink = this.newSink();
      try {
        await sink.start();
        this.sink = sink;
        this.startFailed = false;
        this.logger.log(`lineage sink consuming ${sink.topics.lineage} and ${sink.topics.policyVersions}`);
        return;
      } catch (error) {
        this.startFailed = true;
        this.logger.warn(
          `lineage sink not started (${error instanceof Error ? error.name : 'error'}); retrying`,
        );
        await sink.stop();
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
