import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createKafkaClient, type KafkaClientSettings } from '@app/kafka';
import type { HeaderValue } from '@app/contracts';
import {
  assessEvidenceEvent,
  type CompiledPolicy,
  LINEAGE_SCOPE,
  Pseudonymiser,
  type PseudonymKeyring,
} from '@app/policy';
import {
  type AppendOutcome,
  type LedgerInput,
  LedgerWriter,
  sha256Text,
  storeConsentTexts,
} from '@app/persistence';

/** What the consumer reports (metrics, logs, the test fixture); ids and counts only. */
export interface LedgerConsumerObserver {
  appended?(e: {
    partition: number;
    appended: number;
    outcome: AppendOutcome;
    inputs: readonly LedgerInput[];
    seconds: number;
  }): void;
  appendFailed?(e: { partition: number; errorName: string }): void;
  joined?(e: { partitions: number[] }): void;
}

export interface LedgerConsumerOptions {
  readonly kafka: KafkaClientSettings;
  readonly groupId: string;
  /** The evidence topic, with any prefix. */
  readonly topic: string;
  /** The topic's name in the policy (what the core checks the record against). */
  readonly policyTopic: string;
  readonly policy: CompiledPolicy;
  readonly keyring: PseudonymKeyring;
  readonly dataSource: DataSource;
  readonly maxBatchRecords: number;
  readonly observer?: LedgerConsumerObserver;
  /** Group session timeout (kafkajs default 30 s); a crashed member's partitions move after it. */
  readonly sessionTimeoutMs?: number;
  /** Test hook: runs inside each open database transaction before it commits. */
  readonly beforeCommit?: (appended: number) => Promise<void>;
}

/**
 * Consumes the consent evidence topic (read_committed) into the ledger. Each fetched batch is cut
 * into chunks; each chunk is assessed by the core and appended with its offset in one database
 * transaction (LedgerWriter). The database holds the consumed offsets: on every assignment the
 * consumer seeks to them, and offsets committed to Kafka afterwards are only a hint.
 */
export class LedgerConsumer {
  private consumer?: Consumer;
  private admin?: Admin;
  private readonly writer: LedgerWriter;
  /** The lineage's pseudonyms (as `lineagePseudonym`), with the derived key made once. */
  private readonly pseudonyms: Pseudonymiser;
  private assigned: number[] = [];
  private isJoined = false;

  constructor(private readonly options: LedgerConsumerOptions) {
    this.writer = new LedgerWriter(options.dataSource, options.keyring, options.beforeCommit);
    this.pseudonyms = new Pseudonymiser(options.keyring, LINEAGE_SCOPE);
  }

  get joined(): boolean {
    return this.isJoined;
  }

  /** Stores the policy's consent texts (rows point to them), then joins the group and consumes. */
  async start(): Promise<{ textsStored: number }> {
    const o = this.options;
    const textsStored = await storeConsentTexts(o.dataSource, o.policy);
    const kafka = createKafkaClient(o.kafka);
    const consumer = kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeout: o.sessionTimeoutMs }),
    });
    this.consumer = consumer;
    this.admin = kafka.admin();
    await this.admin.connect();
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[o.topic] ?? [];
      this.assigned = partitions;
      this.isJoined = true;
      // Only saves re-reading: the writer drops what the ledger holds whether or not the seek lands.
      void this.seekToStored(partitions).catch(() => undefined);
      o.observer?.joined?.({ partitions });
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.isJoined = false;
    });
    consumer.on(consumer.events.CRASH, () => {
      this.isJoined = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    return { textsStored };
  }

  async stop(): Promise<void> {
    this.isJoined = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Per assigned partition, how many offsets the ledger is behind the topic's end. */
  async lag(): Promise<Map<number, bigint>> {
    const o = this.options;
    if (this.admin === undefined) return new Map();
    const ends = await this.admin.fetchTopicOffsets(o.topic);
    const stored = await this.writer.storedOffsets(o.groupId, o.topic);
    return new Map(
      ends.map((e) => {
        const from = stored.get(e.partition) ?? e.low;
        const behind = BigInt(e.high) - BigInt(from);
        return [e.partition, behind > 0n ? behind : 0n];
      }),
    );
  }

  get partitions(): readonly number[] {
    return this.assigned;
  }

  private async seekToStored(partitions: number[]): Promise<void> {
    const o = this.options;
    const stored = await this.writer.storedOffsets(o.groupId, o.topic);
    for (const partition of partitions) {
      const offset = stored.get(partition);
      if (offset !== undefined) this.consumer?.seek({ topic: o.topic, partition, offset });
    }
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const o = this.options;
    for (let i = 0; i < batch.messages.length; i += o.maxBatchRecords) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + o.maxBatchRecords);
      const last = chunk[chunk.length - 1]!;
      const nextOffset = (BigInt(last.offset) + 1n).toString();
      const inputs = chunk.map((m) => this.input(batch.partition, m));
      const started = process.hrtime.bigint();
      let outcome: AppendOutcome;
      try {
        outcome = await this.writer.append({
          consumerGroup: o.groupId,
          topic: o.topic,
          partition: batch.partition,
          inputs,
          nextOffset,
        });
      } catch (error) {
        o.observer?.appendFailed?.({
          partition: batch.partition,
          errorName: error instanceof Error ? error.name : 'unknown',
        });
        throw error;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      o.observer?.appended?.({
        partition: batch.partition,
        appended: outcome.appended,
        outcome,
        inputs,
        seconds,
      });
      resolveOffset(last.offset);
      // A hint for a restart without the ledger's offsets; the ledger's own offsets decide.
      await this.consumer
        ?.commitOffsets([{ topic: o.topic, partition: batch.partition, offset: nextOffset }])
        .catch(() => undefined);
      await heartbeat();
    }
  }

  private input(partition: number, m: KafkaMessage): LedgerInput {
    const o = this.options;
    const headers = (m.headers ?? {}) as Readonly<Record<string, HeaderValue>>;
    const assessment = assessEvidenceEvent(o.policy, { value: m.value, headers }, o.policyTopic);
    const form = assessment.outcome === 'assessed' ? assessment.facts.formVersion : undefined;
    return {
      topic: o.topic,
      partition,
      offset: m.offset,
      assessment,
      // The decode stage made the key canonical, as lineagePseudonym would.
      subject: assessment.outcome === 'assessed' ? this.pseudonyms.of(assessment.subjectKey) : null,
      valueDigest: sha256Text(m.value ?? new Uint8Array(0)),
      textHash: form === undefined ? null : (o.policy.forms.get(form)?.textHash ?? null),
      policyVersion: o.policy.version,
    };
  }
}
