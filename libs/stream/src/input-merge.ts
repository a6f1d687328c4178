import { type KafkaMessage } from 'kafkajs';

/** The fetched, not yet processed records of one input partition of a task. */
export interface InputQueue {
  readonly topic: string;
  /** Tie-break rank when timestamps are equal (evidence first). */
  readonly rank: number;
  readonly messages: KafkaMessage[];
  /** Next offset to fetch: everything below it is queued or processed. */
  next: bigint;
  /** The partition's end offset from the latest offset snapshot. */
  end: bigint;
}

/** One record taken from the merge, with where it came from. */
export interface MergedRecord {
  readonly queue: InputQueue;
  readonly message: KafkaMessage;
}

/**
 * Takes up to `max` records from the queues in produced order: smallest record timestamp first
 * (ties: input rank, then offset), but only while every other queue either still holds records or
 * has been read up to its end offset. Otherwise a record produced earlier may still be on its way
 * and processing later ones first would change decisions (a withdrawal applies to what is processed
 * after it). Only the first `available[i]` records of queue i are considered: the ones fetched
 * before the end-offset snapshot, so "read up to the end" means "nothing older is missing".
 */
export function takeInProducedOrder(
  queues: readonly InputQueue[],
  available: readonly number[],
  nextAtSnapshot: readonly bigint[],
  max: number,
): MergedRecord[] {
  const taken = queues.map(() => 0);
  const out: MergedRecord[] = [];
  while (out.length < max) {
    let best = -1;
    let bestTs = 0;
    let blocked = false;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i] as InputQueue;
      if ((taken[i] as number) >= (available[i] as number)) {
        if ((nextAtSnapshot[i] as bigint) < q.end) blocked = true;
        continue;
      }
      const ts = Number((q.messages[taken[i] as number] as KafkaMessage).timestamp);
      if (best === -1 || ts < bestTs) {
        best = i;
        bestTs = ts;
      }
    }
    if (blocked || best === -1) break;
    const q = queues[best] as InputQueue;
    out.push({ queue: q, message: q.messages[taken[best] as number] as KafkaMessage });
    taken[best] = (taken[best] as number) + 1;
  }
  return out;
}

/** What kafkajs reports of a fetched batch in its END_BATCH_PROCESS instrumentation event. */
export interface ProcessedBatchReport {
  readonly batchSize: number;
  readonly firstOffset: string | null;
  readonly lastOffset: string;
  readonly highWatermark: string;
}

/**
 * Moves a queue past a fetched batch whose records were all filtered out: transaction markers and
 * aborted records. kafkajs never hands such a batch to eachBatch (it only reports it through the
 * END_BATCH_PROCESS event), so without this a queue whose last record is followed by a commit
 * marker never reaches its end offset, and the merge waits for it until new records arrive: every
 * input written by a transactional producer (Kafka Connect exactly-once sources, for one) would
 * stall the task once idle. Only a batch that starts at or before the queue's next offset moves
 * it, so no unread record is ever skipped, whichever assignment the batch was fetched for.
 * True if the queue moved.
 */
export function skipFilteredBatch(queue: InputQueue, batch: ProcessedBatchReport): boolean {
  if (batch.batchSize !== 0 || batch.firstOffset === null) return false;
  const after = BigInt(batch.lastOffset) + 1n;
  if (BigInt(batch.firstOffset) > queue.next || after <= queue.next) return false;
  queue.next = after;
  const high = BigInt(batch.highWatermark);
  if (high > queue.end) queue.end = high;
  return true;
}
