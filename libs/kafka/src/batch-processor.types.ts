import { type ConsumerConfig, type IHeaders, type KafkaMessage } from 'kafkajs';

/** One record the handler wants written; it is produced inside the batch's transaction. */
export interface OutputRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  /** `null` is a tombstone (deletes the key in a compacted topic). */
  readonly value: Buffer | string | null;
  readonly headers?: IHeaders;
  /** Omitted: the default partitioner picks by key (murmur2, as the Java client does). */
  readonly partition?: number;
  /** Record timestamp (ms since the epoch, as text); omitted: the producer's clock. */
  readonly timestamp?: string;
}

/** The records of one input partition handed to the handler, in offset order. */
export interface InputBatch {
  readonly topic: string;
  readonly partition: number;
  /**
   * Only records not yet committed: after a retry, a rebalance or a restart the runner drops what
   * an earlier transaction already committed, so the handler never sees a record twice *committed*.
   * It may see the same records again after an aborted attempt.
   */
  readonly messages: readonly KafkaMessage[];
  /** The partition's high watermark when the batch was fetched (for lag). */
  readonly highWatermark: string;
  /** Keeps the group membership alive; call it inside long loops (it is rate-limited). */
  heartbeat(): Promise<void>;
}

/** What the handler returns when it also has in-memory state to publish on commit. */
export interface BatchOutput {
  readonly records: readonly OutputRecord[];
  /**
   * Called once the transaction has committed, never after an abort. In-memory state derived from
   * the batch (e.g. consent state) is staged by the handler and made visible here, so an aborted
   * attempt cannot leave state that a retry would apply twice.
   */
  readonly onCommitted?: () => void;
}

/**
 * Turns a batch of input records into output records. Contract:
 * - returns every record derived from the batch, dead letters included (see `buildDeadLetter`);
 *   they are produced, and the batch's offsets committed, in one transaction;
 * - returns no records and no error: the batch is filtered, its offsets still commit;
 * - throws: nothing is committed, the transaction (if any) is aborted and the same records come
 *   back after a backoff. Throw `TransientError` for "try again later"; bad input must not throw
 *   (it would be retried forever): it is the handler's job to dead-letter it;
 * - must not have effects outside Kafka that a retry would repeat (stage them for `onCommitted`).
 */
export type BatchHandler = (
  batch: InputBatch,
) => Promise<readonly OutputRecord[] | BatchOutput> | readonly OutputRecord[] | BatchOutput;

/** Figures per committed batch, for metrics. */
export interface BatchCommittedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** From the handler call to the end of the commit. */
  readonly durationMs: number;
  /** Records behind the high watermark after this batch. */
  readonly lag: number;
}

/** A batch that did not commit and will be retried. `error` is a name only (no message, no data). */
export interface BatchRetriedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly attempt: number;
  readonly error: string;
  readonly transient: boolean;
  readonly backoffMs: number;
}

/**
 * Metrics and log hooks. Kept to plain callbacks so the runner does not depend on prom-client;
 * a service maps them to its counters and histograms. Hooks must not throw.
 */
export interface BatchProcessorObserver {
  batchCommitted?(event: BatchCommittedEvent): void;
  batchRetried?(event: BatchRetriedEvent): void;
  /** A transactional producer was (re)initialised for an input partition: ownership (re)taken. */
  partitionClaimed?(event: { topic: string; partition: number; committedOffset: string | null }): void;
  /** The producer of an input partition was closed: revoked, fenced, failed or stopping. */
  partitionReleased?(event: { topic: string; partition: number; why: string }): void;
}

/** Backoff between attempts of a failed batch: exponential from `initialMs`, capped at `maxMs`. */
export interface RetryBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Options of {@link TransactionalBatchProcessor}. */
export interface TransactionalBatchProcessorOptions {
  /** Consumer group; also the group whose offsets each transaction commits. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Prefix of the per-input-partition transactional ids (`${prefix}-${topic}-${partition}`).
   * Must be the same for every instance of one service, and unique to that service.
   */
  readonly transactionalIdPrefix: string;
  readonly handler: BatchHandler;
  /** Where a group without committed offsets starts. Default: from the beginning. */
  readonly fromBeginning?: boolean;
  /** Input partitions processed in parallel by one instance (each has its own producer). Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** Fetch sizing and group timings passed to the kafkajs consumer (not groupId, not isolation). */
  readonly consumer?: Omit<ConsumerConfig, 'groupId' | 'readUncommitted'>;
  /** Broker-side transaction timeout. Default 60 000 ms. */
  readonly transactionTimeoutMs?: number;
  readonly retryBackoff?: RetryBackoff;
  readonly observer?: BatchProcessorObserver;
  /**
   * Fault injection for tests only: runs after the outputs are sent and before the offsets and the
   * commit, i.e. while the transaction is open with records in it.
   */
  readonly afterOutputsSent?: (batch: { topic: string; partition: number; attempt: number }) => Promise<void>;
}
