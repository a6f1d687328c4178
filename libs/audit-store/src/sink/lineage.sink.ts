import { LINEAGE_TOPIC, POLICY_VERSIONS_TOPIC } from '@app/contracts';
import { createKafkaClient, type KafkaClientSettings } from '@app/kafka';
import { type Admin, type Batch, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type Pool } from 'pg';
import { type LineageRowInput } from '../store/lineage-row';
import { lineageRow, MAX_FIELD_CHARS } from '../store/lineage-row.mapper';
import { LineagePartitions, type RetentionDays } from '../store/lineage-partitions';
import { CommittedRecordsFilter, type RawRecord } from './committed-records.filter';
import { LineageStoreWriter, type PolicyVersionInput, type StoreBatch } from './lineage-store.writer';
import { lineageRetention } from './lineage-retention';
import { PolicyCache } from './policy-cache';
import { SinkMetrics } from './sink.metrics';

/** Longest policy text stored (the policy-versions topic allows 2 MiB records). */
const MAX_POLICY_TEXT = 4 * 1024 * 1024;
const HOUR_MS = 3_600_000;
const MAX_BACKOFF_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface LineageSinkOptions {
  readonly kafka: KafkaClientSettings;
  readonly pool: Pool;
  /** Consumer group; offsets are never committed to it, only to PostgreSQL. */
  readonly groupId: string;
  /** Prefix of the engine's topic names (ENGINE_TOPIC_PREFIX of the engine it follows). */
  readonly topicPrefix?: string;
  /** Days lineage is kept when the newest policy version declares no `lineageRetentionDays`. */
  readonly retentionDays: number;
  readonly monthsAhead?: number;
  readonly maxBytesPerPartition?: number;
  /** Partitions written at once, each in its own transaction (default 3). */
  readonly concurrentPartitions?: number;
  /** How often partitions are created ahead and dropped after the retention. */
  readonly maintenanceIntervalMs?: number;
  /** The clock for retention and partitions (tests set it). */
  readonly now?: () => Date;
  readonly log?: (message: string, fields?: Record<string, string | number>) => void;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly filter: CommittedRecordsFilter;
  /** Offset last stored for this partition. */
  stored: bigint;
  /** Offset the last batch handed to the writer will store. */
  queued: bigint;
  /** The partition's writes, one after the other: settles when the last one handed over is written. */
  written: Promise<void>;
}

/** The lineage and policy-versions topic names the engine writes under a prefix. */
export function sinkTopics(prefix = ''): { lineage: string; policyVersions: string } {
  return { lineage: `${prefix}${LINEAGE_TOPIC}`, policyVersions: `${prefix}${POLICY_VERSIONS_TOPIC}` };
}

/**
 * Consumes the lineage and policy-versions topics into PostgreSQL exactly once, without Kafka
 * transactions: each fetched batch of one partition is written with the offset to resume from in
 * one PostgreSQL transaction ({@link LineageStoreWriter}); on every assignment the sink reads the
 * stored offsets and seeks there; Kafka offsets are never committed. Records are read uncommitted
 * and filtered by their transaction markers here ({@link CommittedRecordsFilter}), so only committed
 * records are stored. A batch whose transaction fails is read again from the stored offset.
 *
 * A partition's batches are written one after the other, but the consumer does not wait for a
 * batch's transaction before fetching and decoding the next one (kafkajs fetches again only when
 * every batch of a fetch is handled): so PostgreSQL stores batch k while batch k+1 is decoded and
 * rendered. At most one written and one waiting batch per partition.
 */
export class LineageSink {
  readonly metrics = new SinkMetrics();
  readonly topics: { lineage: string; policyVersions: string };
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly writer: LineageStoreWriter;
  private readonly partitions: LineagePartitions;
  private readonly policies = new PolicyCache();
  /** The retention in force, set by each maintenance run. */
  private retentionDays: RetentionDays;
  private readonly states = new Map<string, PartitionState>();
  private readonly now: () => Date;
  private joined = false;
  private crashed = false;
  private stopping = false;
  /** Failed attempts in a row per partition: the next attempt waits longer (see backOff). */
  private readonly failures = new Map<string, number>();
  /** Writes not settled yet, awaited by stop(). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Maintenance runs one at a time. */
  private work: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LineageSinkOptions) {
    this.topics = sinkTopics(options.topicPrefix);
    this.kafka = createKafkaClient(options.kafka);
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      // Transactions are resolved by the sink itself: see CommittedRecordsFilter.
      readUncommitted: true,
      // Bytes as the broker stores them: the lineage topic is gzip-compressed about tenfold, so a
      // 1 MiB fetch is some 10,000 records, one transaction's worth. (The broker still returns a
      // whole record batch larger than this.)
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
    });
    this.admin = this.kafka.admin();
    this.writer = new LineageStoreWriter(options.pool, this.policies);
    this.partitions = new LineagePartitions(options.pool, { monthsAhead: options.monthsAhead ?? 2 });
    this.retentionDays = options.retentionDays;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates the partitions due, joins the group and starts consuming in the background. */
  async start(): Promise<void> {
    await this.maintain();
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // A new generation: every partition's position is read again from PostgreSQL.
      this.states.clear();
      this.joined = true;
      this.crashed = false;
      const count = Object.values(payload.memberAssignment).reduce((n, ps) => n + ps.length, 0);
      this.metrics.assigned.set(count);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.states.clear();
      if (!payload.restart) this.crashed = true;
      this.log('lineage sink consumer crashed', {
        error: payload.error.name,
        restart: String(payload.restart),
      });
    });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      this.afterFetch(payload.topic, payload.partition, payload.batchSize, payload.lastOffset),
    );
    await this.consumer.subscribe({
      topics: [this.topics.lineage, this.topics.policyVersions],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: false,
      // Partitions are written concurrently (one transaction each): while PostgreSQL stores one
      // batch, the next is decoded and rendered.
      partitionsConsumedConcurrently: this.options.concurrentPartitions ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
    const interval = this.options.maintenanceIntervalMs ?? HOUR_MS;
    this.timer = setInterval(() => this.maintainSoon(), interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.consumer.disconnect().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await this.work.catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  /** Ready once the group was joined, until the consumer crashed for good. */
  isReady(): boolean {
    return this.joined && !this.crashed && !this.stopping;
  }

  /**
   * Creates the months due ahead, drops those past the retention: the one the newest stored policy
   * version declares, else the setting.
   */
  async maintain(): Promise<void> {
    const now = this.now();
    const retention = await lineageRetention(this.options.pool, this.policies, this.options.retentionDays);
    if (retention.days !== this.retentionDays)
      this.log('lineage retention', {
        days: retention.days ?? 'for ever',
        declaredBy: retention.declaredBy ?? 'setting',
      });
    this.retentionDays = retention.days;
    this.metrics.retentionDays.set(retention.days ?? -1);
    const r = await this.partitions.maintain(now, retention.days);
    if (r.created.length + r.dropped.length + r.deleted > 0)
      this.log('lineage partitions maintained', {
        created: r.created.join(',') || '-',
        dropped: r.dropped.join(',') || '-',
        deleted: r.deleted,
      });
  }

  /** Runs maintenance after whatever maintenance is running; a failure is logged, retried next time. */
  private maintainSoon(): void {
    void this.serial(() => this.maintain()).catch((e: unknown) =>
      this.log('partition maintenance failed', { error: e instanceof Error ? e.name : 'error' }),
    );
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.work.then(task, task);
    this.work = next.catch(() => undefined);
    return next;
  }

  private log(message: string, fields?: Record<string, string | number>): void {
    this.options.log?.(message, fields);
  }

  private async onBatch({ batch, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (isStale() || this.stopping) return;
    const key = `${batch.topic}:${batch.partition}`;
    const state = this.states.get(key);
    if (state === undefined) {
      await this.backOff(key, heartbeat);
      try {
        await this.position(batch.topic, batch.partition);
      } catch (error) {
        // PostgreSQL is unreachable: fetch this batch again after a longer wait, and try again.
        this.failed(
          batch.topic,
          batch.partition,
          'lineage sink cannot read its stored offset; trying again',
          error,
        );
        const first = batch.firstOffset();
        if (first !== null) this.seekQuietly(batch.topic, batch.partition, BigInt(first));
      }
      return;
    }
    const raw = (batch as unknown as { messagesWithinOffset: RawRecord[] }).messagesWithinOffset;
    const released = state.filter.accept(raw);
    const nextOffset = state.filter.safeOffset();
    if (released.length === 0 && nextOffset === state.queued) return;
    const rows: LineageRowInput[] = [];
    const versions: PolicyVersionInput[] = [];
    if (batch.topic === this.topics.policyVersions) versions.push(...this.versionsOf(batch, released));
    else rows.push(...released.map((r) => this.rowOf(batch, r)));
    state.queued = nextOffset;
    const previous = state.written;
    // After the previous batch only: a batch whose predecessor failed is not written (read again).
    const written = previous.then(() =>
      this.store(state, { topic: batch.topic, partition: batch.partition, rows, versions, nextOffset }),
    );
    state.written = written;
    this.inFlight.add(written);
    void written.catch(() => undefined).finally(() => this.inFlight.delete(written));
    // Wait for the previous batch, not this one: it is written while the next fetch is decoded.
    await previous.catch(() => undefined);
    await heartbeat();
  }

  /** Writes one batch; on failure the partition is read again from its stored offset. */
  private async store(state: PartitionState, batch: StoreBatch): Promise<void> {
    const started = performance.now();
    try {
      await this.partitions.ensureFor(
        batch.rows.map((r) => r.time),
        this.now(),
        this.retentionDays,
      );
      const report = await this.writer.write(batch);
      state.stored = batch.nextOffset;
      this.failures.delete(`${state.topic}:${state.partition}`);
      if (report.pending > 0 || report.versionsStored > 0) await this.writer.resolvePending();
      // A new policy version may declare another retention: apply it now, not at the next hour.
      if (report.versionsStored > 0) this.maintainSoon();
      this.metrics.batches.observe((performance.now() - started) / 1000);
      this.metrics.replayed.inc(report.replayed);
      this.metrics.policyVersions.inc(report.versionsStored);
      this.metrics.unrenderable.inc(report.unrenderable);
      this.metrics.pending.inc(report.pending);
      for (const [kind, n] of report.insertedKinds) this.metrics.stored.inc({ kind }, n);
      for (const at of report.unstorable) {
        this.metrics.unreadable.inc({ code: 'unstorable-text' });
        this.log('lineage record kept as unreadable', { ...at, code: 'unstorable-text' });
      }
    } catch (error) {
      // Nothing of the batch was written (nor of those after it): forget the position and read
      // again from the stored offset; the next batch positions the partition from PostgreSQL.
      const key = `${state.topic}:${state.partition}`;
      if (this.states.get(key) === state) this.states.delete(key);
      this.failed(
        state.topic,
        state.partition,
        'lineage batch not written; reading again from the stored offset',
        error,
      );
      this.seekQuietly(state.topic, state.partition, state.stored);
      throw error;
    }
  }

  private failed(topic: string, partition: number, message: string, error: unknown): void {
    const key = `${topic}:${partition}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.metrics.failures.inc();
    this.log(message, { topic, partition, error: error instanceof Error ? error.name : 'error' });
  }

  /**
   * After failed attempts, waits before the next: 0.2 s, doubling up to 10 s (heartbeats keep the
   * group membership meanwhile). A database outage thus costs a retry every 10 s, not a busy loop.
   */
  private async backOff(key: string, heartbeat: () => Promise<void>): Promise<void> {
    const n = this.failures.get(key) ?? 0;
    if (n === 0) return;
    let wait = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(n - 1, 16));
    while (wait > 0 && !this.stopping) {
      const step = Math.min(wait, 1000);
      await sleep(step);
      wait -= step;
      await heartbeat().catch(() => undefined);
    }
  }

  private seekQuietly(topic: string, partition: number, offset: bigint): void {
    if (this.stopping) return;
    try {
      this.consumer.seek({ topic, partition, offset: offset.toString() });
    } catch {
      // Not running any more: the next start reads the stored offset anyway.
    }
  }

  /** First batch of a partition in this generation: seek to the stored offset (or the log start). */
  private async position(topic: string, partition: number): Promise<void> {
    const { rows } = await this.options.pool.query<{ next_offset: string }>(
      `select next_offset::text as next_offset from audit_sink_offset where topic = $1 and partition = $2`,
      [topic, partition],
    );
    let start = rows[0] ? BigInt(rows[0].next_offset) : null;
    if (start === null) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      start = BigInt(offsets.find((o) => o.partition === partition)?.low ?? '0');
    }
    this.states.set(`${topic}:${partition}`, {
      topic,
      partition,
      filter: new CommittedRecordsFilter(start),
      stored: start,
      queued: start,
      written: Promise.resolve(),
    });
    this.consumer.seek({ topic, partition, offset: start.toString() });
  }

  /**
   * kafkajs hands no batch to eachBatch when a fetch held only transaction markers, but moves on;
   * when records wait for such a marker, read again from the last record seen so the markers come
   * with it.
   */
  private afterFetch(topic: string, partition: number, batchSize: number, lastOffset: string): void {
    if (batchSize !== 0 || this.stopping) return;
    const state = this.states.get(`${topic}:${partition}`);
    const from = state?.filter.lastDataOffset();
    if (!state || !state.filter.holding() || from === null || from === undefined) return;
    if (BigInt(lastOffset) < state.filter.position()) return;
    this.metrics.markerRefetches.inc();
    this.consumer.seek({ topic, partition, offset: from.toString() });
  }

  private rowOf(batch: Batch, r: RawRecord): LineageRowInput {
    const at = { topic: batch.topic, partition: batch.partition, offset: r.offset };
    const row = lineageRow(at, r.timestamp, r.value);
    if (row.kind === 'unreadable') {
      this.metrics.unreadable.inc({ code: row.code ?? 'unknown' });
      this.log('lineage record kept as unreadable', { ...at, code: row.code ?? 'unknown' });
    }
    return row;
  }

  private versionsOf(batch: Batch, records: readonly RawRecord[]): PolicyVersionInput[] {
    const out: PolicyVersionInput[] = [];
    for (const r of records) {
      const version = r.key?.toString('utf8') ?? '';
      const text = r.value?.toString('utf8') ?? '';
      const ok =
        version.length > 0 &&
        version.length <= MAX_FIELD_CHARS &&
        text.length > 0 &&
        text.length <= MAX_POLICY_TEXT &&
        !version.includes('\u0000') &&
        !text.includes('\u0000');
      if (!ok) {
        this.metrics.unusablePolicyVersions.inc();
        this.log('policy-versions record not stored (no version key or text)', {
          topic: batch.topic,
          partition: batch.partition,
          offset: r.offset,
        });
        continue;
      }
      const ts = Number(r.timestamp);
      out.push({ version, text, firstSeenAt: new Date(Number.isFinite(ts) && ts > 0 ? ts : 0) });
    }
    return out;
  }
}
