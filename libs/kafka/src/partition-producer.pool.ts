import { type Admin, type Kafka, type Producer } from 'kafkajs';
import { producerConfig } from './kafka-client.factory';
import { type BatchProcessorObserver } from './batch-processor.types';

/**
 * The transactional producer of one input partition while this instance owns it.
 *
 * Invariant that makes exactly-once hold without KIP-447: `nextOffset` is read from the group's
 * committed offsets *after* `initTransactions` bumped the producer epoch. Any other instance that
 * commits for this partition later must initialise the same transactional id first, which fences
 * this producer, so every commit that succeeds through this session starts exactly at `nextOffset`.
 */
export interface PartitionSession {
  readonly topic: string;
  readonly partition: number;
  readonly producer: Producer;
  /** Offset the next transaction must start at; null when the group has never committed here. */
  nextOffset: string | null;
  /** False until the consumer has been positioned at `nextOffset` once after claiming. */
  positioned: boolean;
  /** Set while a batch uses the producer, so a revoke waits for it instead of cutting it off. */
  inUse: Promise<void> | null;
}

export interface PartitionProducerPoolOptions {
  readonly groupId: string;
  readonly transactionalIdPrefix: string;
  readonly transactionTimeoutMs: number;
}

/** The transactional id of an input partition: stable across instances, restarts and rebalances. */
export function transactionalIdFor(prefix: string, topic: string, partition: number): string {
  return `${prefix}-${topic}-${partition}`;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Creates, keeps and closes the per-input-partition transactional producers of one processor. */
export class PartitionProducerPool {
  private readonly sessions = new Map<string, PartitionSession>();

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: PartitionProducerPoolOptions,
    private readonly observer: BatchProcessorObserver,
  ) {}

  get(topic: string, partition: number): PartitionSession | undefined {
    return this.sessions.get(keyOf(topic, partition));
  }

  /**
   * Takes ownership of an input partition: initialises its transactional id (fencing any previous
   * owner and aborting its open transaction; the broker only answers once that transaction is
   * complete) and only then reads where the group's committed offsets stand.
   */
  async claim(topic: string, partition: number): Promise<PartitionSession> {
    const producer = this.kafka.producer(
      producerConfig({
        transactionalId: transactionalIdFor(this.options.transactionalIdPrefix, topic, partition),
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.options.transactionTimeoutMs,
      }),
    );
    try {
      await producer.connect();
      // An empty transaction initialises the producer id (InitProducerId) without an EndTxn.
      const init = await producer.transaction();
      await init.abort();
      const nextOffset = await this.committedOffset(topic, partition);
      const session: PartitionSession = {
        topic,
        partition,
        producer,
        nextOffset,
        positioned: false,
        inUse: null,
      };
      this.sessions.set(keyOf(topic, partition), session);
      this.observer.partitionClaimed?.({ topic, partition, committedOffset: nextOffset });
      return session;
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Closes the partition's producer once its current batch (if any) is done. Idempotent. */
  async release(topic: string, partition: number, why: string): Promise<void> {
    const key = keyOf(topic, partition);
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    await session.inUse;
    await session.producer.disconnect().catch(() => undefined);
    this.observer.partitionReleased?.({ topic, partition, why });
  }

  /** Releases every partition that is not in the new assignment (after a rebalance). */
  async retainOnly(assignment: Readonly<Record<string, readonly number[]>>): Promise<void> {
    const revoked = [...this.sessions.values()].filter(
      (s) => !(assignment[s.topic] ?? []).includes(s.partition),
    );
    await Promise.all(revoked.map((s) => this.release(s.topic, s.partition, 'revoked')));
  }

  async releaseAll(why: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.release(s.topic, s.partition, why)));
  }

  private async committedOffset(topic: string, partition: number): Promise<string | null> {
    const [result] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    const offset = result?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || BigInt(offset) < 0n ? null : offset;
  }
}
