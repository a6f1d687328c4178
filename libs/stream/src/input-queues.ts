import { type Admin, type Batch, type KafkaMessage } from 'kafkajs';
import { queuedBytes } from './input-backpressure';
import { type InputQueue, type MergedRecord } from './input-merge';

/** Committed group offsets as `Admin.fetchOffsets` returns them. */
export type CommittedOffsets = ReadonlyArray<{
  readonly topic: string;
  readonly partitions: ReadonlyArray<{ readonly partition: number; readonly offset: string }>;
}>;

/** A topic's offsets as `Admin.fetchTopicOffsets` returns them. */
export type TopicEnds = ReadonlyArray<{
  readonly partition: number;
  readonly high: string;
  readonly low: string;
}>;

/**
 * Where a claimed input partition starts (its committed offset, or the log start when the group has
 * none) and the end offset known at the claim.
 */
export function claimedRange(
  committed: CommittedOffsets,
  ends: TopicEnds | undefined,
  topic: string,
  partition: number,
): { start: bigint; end: bigint } {
  const c = committed
    .find((r) => r.topic === topic)
    ?.partitions.find((x) => x.partition === partition)?.offset;
  const o = ends?.find((x) => x.partition === partition);
  const start = c !== undefined && BigInt(c) >= 0n ? BigInt(c) : BigInt(o?.low ?? '0');
  return { start, end: BigInt(o?.high ?? '0') };
}

/**
 * Adds a fetched batch to its queue: the records from `next` on (a seek or a restart may fetch older
 * ones again), then moves `next` past the batch and `end` up to its high watermark. Returns the
 * bytes queued (see `queuedBytes`), for backpressure by bytes.
 */
export function queueBatch(
  q: InputQueue,
  batch: Pick<Batch, 'highWatermark' | 'messages' | 'lastOffset'>,
): number {
  q.end = BigInt(batch.highWatermark) > q.end ? BigInt(batch.highWatermark) : q.end;
  const added = batch.messages.filter((m) => BigInt(m.offset) >= q.next);
  for (const m of added) q.messages.push(m);
  const after = BigInt(batch.lastOffset()) + 1n;
  if (after > q.next) q.next = after;
  return queuedBytes(added);
}

/**
 * Queues whose every available record was taken and that looked read to their end: only for those
 * is a fresh end-offset lookup worth its round trip (the merge may have stopped at them).
 */
export function readDry(
  queues: readonly InputQueue[],
  taken: readonly MergedRecord[],
  available: readonly number[],
  nextAtSnapshot: readonly bigint[],
): InputQueue[] {
  const counts = new Map<InputQueue, number>();
  for (const t of taken) counts.set(t.queue, (counts.get(t.queue) ?? 0) + 1);
  return queues.filter(
    (q, i) => (counts.get(q) ?? 0) === available[i] && (nextAtSnapshot[i] as bigint) >= q.end,
  );
}

/** Moves each queue's end up to its partition's current end offset (one lookup per topic). */
export async function refreshEnds(
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  drained: ReadonlyArray<{ readonly queue: InputQueue; readonly partition: number }>,
): Promise<void> {
  const topics = [...new Set(drained.map((d) => d.queue.topic))];
  const ends = await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t)));
  for (const { queue, partition } of drained) {
    const high = ends[topics.indexOf(queue.topic)]?.find((x) => x.partition === partition)?.high;
    if (high !== undefined && BigInt(high) > queue.end) queue.end = BigInt(high);
  }
}

/**
 * The offset to commit for a queue after a step took its first `n` records: the next offset fetched
 * at the snapshot when it took all `available` ones (filtered records after them are consumed too),
 * else the offset after the last record taken.
 */
export function offsetThrough(q: InputQueue, n: number, available: number, nextAtSnapshot: bigint): bigint {
  return n === available ? nextAtSnapshot : BigInt((q.messages[n - 1] as KafkaMessage).offset) + 1n;
}
