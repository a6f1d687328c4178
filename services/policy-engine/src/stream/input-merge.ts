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
