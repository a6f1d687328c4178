import { readFileSync } from 'node:fs';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { kafkaClientSettings, type ReadinessCheck } from '@app/service-kit';
import { type CompiledPolicy, loadPolicy, type PseudonymKeyring } from '@app/policy';
import { engineKeyring, parsePseudonymKeyring } from '@app/stream';
import { createDataSource, LedgerReader } from '@app/persistence';
import { CONSENT_SETTINGS } from './consent.constants';
import { type ConsentSettings } from './consent.settings';
import { LedgerConsumer } from './ledger-consumer';
import { LedgerMetrics } from './ledger-metrics';

/**
 * The consent ledger in the service: loads the policy, stores its consent texts, runs the
 * consumer, and serves readiness (database answers, consumer in its group, ledger caught up)
 * and metrics. Stops the consumer (the open batch commits or rolls back) before the database.
 */
@Injectable()
export class ConsentLedgerService implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'ledger';
  readonly metrics = new LedgerMetrics();
  readonly policy: CompiledPolicy;
  readonly keyring: PseudonymKeyring;
  readonly dataSource: DataSource;
  readonly reader: LedgerReader;
  private consumer?: LedgerConsumer;
  private readonly logger = new Logger('ledger');

  constructor(@Inject(CONSENT_SETTINGS) private readonly settings: ConsentSettings) {
    this.policy = loadPolicy(readFileSync(settings.POLICY_FILE, 'utf8'), { fileName: settings.POLICY_FILE });
    const parsed = parsePseudonymKeyring(
      settings.GOVERN_PSEUDONYM_KEYS,
      settings.GOVERN_PSEUDONYM_ACTIVE_KEY,
    );
    this.keyring = engineKeyring(parsed.keyring ?? undefined, settings.GOVERN_DEMO_MODE === 'true');
    this.dataSource = createDataSource({
      url: settings.DATABASE_URL,
      schema: settings.CONSENT_DATABASE_SCHEMA,
    });
    this.reader = new LedgerReader(this.dataSource);
  }

  get topic(): string {
    return `${this.settings.CONSENT_TOPIC_PREFIX}${this.policy.evidenceTopic}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.initialize();
    if (this.settings.CONSENT_MIGRATE_AT_START === 'true')
      await this.dataSource.runMigrations({ transaction: 'each' });
    this.consumer = new LedgerConsumer({
      kafka: kafkaClientSettings(this.settings, { clientId: `${this.settings.KAFKA_CLIENT_ID}-consent` }),
      groupId: this.settings.CONSENT_GROUP_ID,
      topic: this.topic,
      policyTopic: this.policy.evidenceTopic,
      policy: this.policy,
      keyring: this.keyring,
      dataSource: this.dataSource,
      maxBatchRecords: this.settings.CONSENT_MAX_BATCH_RECORDS,
      observer: {
        ...this.metrics.observer,
        joined: (e) => this.logger.log(`joined group with ${e.partitions.length} partition(s)`),
      },
    });
    const { textsStored } = await this.consumer.start();
    this.logger.log(
      `consuming ${this.topic}; ${textsStored} new consent text(s) stored; policy ${this.policy.version}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Ready: the database answers, the consumer is in its group, and the ledger is caught up. */
  async check(): Promise<void> {
    await this.dataSource.query('select 1');
    if (this.consumer === undefined || !this.consumer.joined)
      throw new Error('the ledger consumer has not joined its group');
    const lag = await this.consumer.lag();
    const behind = [...lag.values()].reduce((a, b) => (b > a ? b : a), 0n);
    if (behind > BigInt(this.settings.CONSENT_READY_MAX_LAG))
      throw new Error(`the ledger is ${behind} offsets behind the evidence topic`);
  }

  async metricsText(): Promise<string> {
    if (this.consumer !== undefined) {
      const lag = await this.consumer.lag().catch(() => new Map<number, bigint>());
      for (const [partition, behind] of lag)
        this.metrics.lag.set({ partition: String(partition) }, Number(behind));
    }
    return this.metrics.registry.metrics();
  }
}
