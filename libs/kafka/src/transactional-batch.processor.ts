import { type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import {
  type BatchOutput,
  type BatchProcessorObserver,
  type OutputRecord,
  type TransactionalBatchProcessorOptions,
} from './batch-processor.types';
import { PartitionProducerPool, type PartitionSession } from './partition-producer.pool';
import { backoffDelayMs, DEFAULT_RETRY_BACKOFF, waitWhile } from './retry.backoff';
import { errorName, isTransient } from './transient.error';
import { sendInTransaction } from './transaction-send';

const HEARTBEAT_TICK_MS = 1000;

function toOutput(result: readonly OutputRecord[] | BatchOutput): BatchOutput {
  return 'records' in result ? result : { records: result as readonly OutputRecord[] };
}

/**
 * Consume → handle → produce with exactly-once delivery to read_committed consumers: each batch's
 * outputs and its consumed offsets commit in one Kafka transaction.
 *
 * kafkajs has no KIP-447 (fencing by consumer-group generation), so each *input partition* has its
 * own transactional producer (`${prefix}-${topic}-${partition}`). Whoever processes a partition
 * first initialises that id, which fences a zombie previous owner and aborts its open transaction,
 * and then reads the committed offset to start from (see {@link PartitionSession}). Producers are
 * created on the first batch of an assigned partition, kept while assigned and closed on revoke,
 * on failure of a transaction and on stop.
 *
 * Failures (the handler throws, or the broker rejects the transaction): the transaction is aborted,
 * nothing commits, the consumer seeks back to the first uncommitted offset and the batch is retried
 * after an exponential backoff. Bad input is the handler's to dead-letter (see `BatchHandler`).
 */
export class TransactionalBatchProcessor {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly pool: PartitionProducerPool;
  private readonly observer: BatchProcessorObserver;
  private readonly attempts = new Map<string, number>();
  private stopping: Promise<void> | null = null;

  constructor(
    kafka: Kafka,
    private readonly options: TransactionalBatchProcessorOptions,
  ) {
    this.observer = options.observer ?? {};
    this.consumer = kafka.consumer({ ...options.consumer, groupId: options.groupId, readUncommitted: false });
    this.admin = kafka.admin();
    this.pool = new PartitionProducerPool(
      kafka,
      this.admin,
      {
        groupId: options.groupId,
        transactionalIdPrefix: options.transactionalIdPrefix,
        transactionTimeoutMs: options.transactionTimeoutMs ?? 60000,
      },
      this.observer,
    );
  }

  /** Joins the group and starts processing; resolves once the consumer runs (not when it stops). */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      // Revoked partitions give up their producers; a partition kept keeps its session.
      void this.pool.retainOnly(event.payload.memberAssignment);
    });
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /**
   * Graceful stop: lets the batch in progress finish (its transaction commits, or aborts if it
   * fails), leaves the group, then closes every producer and the consumer. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.consumer.stop();
      await this.pool.releaseAll('stopping');
      await this.consumer.disconnect();
      await this.admin.disconnect();
    })();
    return this.stopping;
  }

  /** Never throws: a throw would crash the kafkajs consumer; failures become retries instead. */
  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty() || !payload.isRunning() || payload.isStale()) return;
    const { topic, partition } = batch;
    const firstFetched = batch.messages[0].offset;

    let session = this.pool.get(topic, partition);
    if (!session) {
      try {
        session = await this.pool.claim(topic, partition);
      } catch (error) {
        await this.retryLater(payload, firstFetched, error);
        return;
      }
    }
    if (!session.positioned) {
      session.positioned = true;
      // The consumer may be ahead of what is committed (e.g. a previous owner's work was aborted by
      // our claim, or our own failed attempt): go back and process from the committed offset.
      if (session.nextOffset !== null && BigInt(firstFetched) > BigInt(session.nextOffset)) {
        this.consumer.seek({ topic, partition, offset: session.nextOffset });
        return;
      }
    }

    // Records below nextOffset were committed by an earlier transaction (e.g. the group's offsets
    // were read before that commit's markers landed): never hand them out again.
    const from = session.nextOffset;
    const messages =
      from === null ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) >= BigInt(from));
    if (messages.length === 0) {
      payload.resolveOffset(batch.lastOffset());
      return;
    }

    const done = this.markInUse(session);
    try {
      await this.handleAndCommit(payload, session, messages);
    } finally {
      done();
    }
  }

  private async handleAndCommit(
    payload: EachBatchPayload,
    session: PartitionSession,
    messages: EachBatchPayload['batch']['messages'],
  ): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const retryFrom = session.nextOffset ?? messages[0].offset;
    const attempt = this.attempts.get(`${topic}:${partition}`) ?? 0;
    const started = performance.now();
    const keepAlive = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_TICK_MS);
    // Committing lastOffset + 1 also skips trailing control records and filtered aborted records.
    const commitOffset = (BigInt(batch.lastOffset()) + 1n).toString();

    let output: BatchOutput;
    try {
      try {
        output = toOutput(
          await this.options.handler({
            topic,
            partition,
            messages,
            highWatermark: batch.highWatermark,
            heartbeat: () => payload.heartbeat(),
          }),
        );
      } catch (error) {
        // Nothing was sent: the session (and its producer epoch) stays valid.
        await this.retryLater(payload, retryFrom, error);
        return;
      }

      try {
        const transaction = await session.producer.transaction();
        try {
          if (output.records.length > 0) {
            await sendInTransaction(transaction, output.records);
          }
          await this.options.afterOutputsSent?.({ topic, partition, attempt });
          await transaction.sendOffsets({
            consumerGroupId: this.options.groupId,
            topics: [{ topic, partitions: [{ partition, offset: commitOffset }] }],
          });
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
      } catch (error) {
        // Fenced, timed out, or unknown outcome: a fresh claim re-reads the committed offset,
        // which is the only safe answer to "did that commit happen?".
        await this.releaseWhenIdle(session, 'transaction failed');
        await this.retryLater(payload, retryFrom, error);
        return;
      }
    } finally {
      clearInterval(keepAlive);
    }

    session.nextOffset = commitOffset;
    payload.resolveOffset(batch.lastOffset());
    this.attempts.delete(`${topic}:${partition}`);
    output.onCommitted?.();
    this.observer.batchCommitted?.({
      topic,
      partition,
      recordsIn: messages.length,
      recordsOut: output.records.length,
      durationMs: performance.now() - started,
      lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(commitOffset))),
    });
  }

  /** Seeks back to `offset` and waits out the backoff (heartbeating) before the batch comes again. */
  private async retryLater(payload: EachBatchPayload, offset: string, error: unknown): Promise<void> {
    const { topic, partition } = payload.batch;
    const key = `${topic}:${partition}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const backoffMs = backoffDelayMs(this.options.retryBackoff ?? DEFAULT_RETRY_BACKOFF, attempt - 1);
    this.observer.batchRetried?.({
      topic,
      partition,
      attempt,
      error: errorName(error),
      transient: isTransient(error),
      backoffMs,
    });
    this.consumer.seek({ topic, partition, offset });
    await waitWhile(
      backoffMs,
      () => payload.isRunning(),
      () => payload.heartbeat(),
    );
  }

  /** Marks the session busy so a concurrent revoke waits; returns the function that clears it. */
  private markInUse(session: PartitionSession): () => void {
    let done!: () => void;
    session.inUse = new Promise<void>((resolve) => (done = resolve));
    return () => {
      session.inUse = null;
      done();
    };
  }

  /** Releases from inside the batch that holds the session (so `release` must not wait for it). */
  private async releaseWhenIdle(session: PartitionSession, why: string): Promise<void> {
    session.inUse = null;
    await this.pool.release(session.topic, session.partition, why);
  }
}
