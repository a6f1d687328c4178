import { randomUUID } from 'node:crypto';
import { type Kafka, type KafkaMessage } from 'kafkajs';
import { retryWhileLeadershipPending } from './topic-leaders.wait';

/** Options of {@link readTopicToEnd}. */
export interface ReadTopicToEndOptions {
  readonly topic: string;
  /** Called per fetched batch, in offset order within a partition. */
  readonly onBatch: (batch: { partition: number; messages: readonly KafkaMessage[] }) => void | Promise<void>;
  /** Group id of the throw-away reader; a random one by default (it is deleted afterwards). */
  readonly groupId?: string;
}

/**
 * Reads every partition of `topic` from the beginning up to the end offsets it had when the call
 * started (read_committed: the last stable offset, so an open transaction does not hold it up),
 * then stops. Records written after the start are not waited for: this is a snapshot for restoring
 * state before processing begins, not a subscription. The reader is a throw-away consumer group
 * that commits nothing and is deleted at the end.
 */
export async function readTopicToEnd(kafka: Kafka, options: ReadTopicToEndOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = options.groupId ?? `restore-${options.topic}-${randomUUID()}`;
  try {
    const ends = await retryWhileLeadershipPending(() => admin.fetchTopicOffsets(options.topic));
    // Position reached per partition; a partition is done when position >= its end at start.
    const remaining = new Map<number, bigint>();
    for (const p of ends) {
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high));
    }
    if (remaining.size === 0) return;

    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        const advance = (partition: number, lastOffset: string): void => {
          const end = remaining.get(partition);
          if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        };
        // Batches made only of control or aborted records never reach eachBatch, but they move the
        // position too; END_BATCH_PROCESS reports both kinds.
        consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
          advance(event.payload.partition, event.payload.lastOffset),
        );
        consumer.on(consumer.events.CRASH, (event) => {
          if (!event.payload.restart) reject(event.payload.error);
        });
        consumer
          .subscribe({ topic: options.topic, fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                if (!remaining.has(batch.partition)) return;
                const end = remaining.get(batch.partition) ?? 0n;
                // Only what existed at the start: later records belong to normal processing.
                const messages = batch.messages.filter((m) => BigInt(m.offset) < end);
                if (messages.length > 0) await options.onBatch({ partition: batch.partition, messages });
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
