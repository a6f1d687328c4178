import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { kafkaClientSettings, topicReplication, type ReadinessCheck } from '@app/service-kit';
import { ENGINE_SETTINGS } from './policy-engine.constants';
import { type PolicyEngineSettings } from './policy-engine.settings';
import { parsePseudonymKeyring, startGovernedStream, type GovernedStream } from '@app/stream';

/** Thin Nest adapter: starts the governed stream with the app, stops it (commit or abort) on SIGTERM. */
@Injectable()
export class GovernedStreamService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'governed-stream';
  private readonly logger = new Logger('governed-stream');
  private stream: GovernedStream | null = null;

  constructor(@Inject(ENGINE_SETTINGS) private readonly settings: PolicyEngineSettings) {}

  async onApplicationBootstrap(): Promise<void> {
    const s = this.settings;
    this.stream = await startGovernedStream({
      kafka: kafkaClientSettings(s),
      replication: topicReplication(s),
      policyFile: s.POLICY_FILE,
      pseudonymKeys:
        parsePseudonymKeyring(s.GOVERN_PSEUDONYM_KEYS, s.GOVERN_PSEUDONYM_ACTIVE_KEY).keyring ?? undefined,
      demoMode: s.GOVERN_DEMO_MODE === 'true',
      groupId: s.ENGINE_GROUP_ID,
      topicPrefix: s.ENGINE_TOPIC_PREFIX,
      partitions: s.ENGINE_PARTITIONS,
      maxStepRecords: s.ENGINE_MAX_STEP_RECORDS,
      maxQueuedPerPartition: s.ENGINE_MAX_QUEUED,
      maxQueuedBytesPerPartition: s.ENGINE_MAX_QUEUED_BYTES,
      maxRecordBytes: s.ENGINE_MAX_RECORD_BYTES,
      createTopics: s.ENGINE_CREATE_TOPICS === 'true',
      identityRouting: s.ENGINE_IDENTITY_ROUTING === 'auto' ? 'auto' : s.ENGINE_IDENTITY_ROUTING === 'true',
      log: (message, fields) =>
        this.logger.log(
          [message, ...Object.entries(fields ?? {}).map(([k, v]) => `${k}=${String(v)}`)].join(' '),
        ),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stream?.stop();
    this.logger.log('governed stream stopped');
  }

  /**
   * Not ready until the tasks are claimed and their consent state restored from the changelog; not
   * ready again while a failed claim is retried, or once the engine's consumer crashed, until a
   * fresh claim after kafkajs's rejoin (see `GovernedStream.isReady`).
   */
  async check(): Promise<void> {
    if (!this.stream?.isReady())
      throw new Error('consent state not restored (claiming, retrying a failed claim, or consumer down)');
  }

  async metricsText(): Promise<string> {
    return this.stream ? this.stream.metrics.registry.metrics() : '';
  }
}
