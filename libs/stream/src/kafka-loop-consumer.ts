import { type Consumer, type EachBatchPayload } from 'kafkajs';
import { type LoopConsumer } from './claim-loop';
import { type ProcessedBatchReport } from './input-merge';

/** kafkajs's END_BATCH_PROCESS report of one fetched batch, with where it was fetched from. */
export interface FetchedBatchReport extends ProcessedBatchReport {
  readonly topic: string;
  readonly partition: number;
}

/** Where fetched records go. Consumption only fills queues: steps take from them under a claim. */
export interface FetchedInput {
  /** A fetched batch of one partition. Must not throw: kafkajs would retry it, then crash. */
  enqueue(payload: EachBatchPayload): void;
  /** Every processed batch, also those filtered to nothing (see `skipFilteredBatch`). */
  batchProcessed(report: FetchedBatchReport): void;
}

/**
 * A kafkajs consumer as the claim loop's consumer: it subscribes to `topics` from the beginning
 * (committed offsets and the claim's seeks decide where reading starts), never commits offsets
 * itself (steps commit them in their transactions), hands batches to `input`, and reports group
 * joins and crashes (kafkajs's GROUP_JOIN and CRASH events) to the loop.
 */
export function kafkaLoopConsumer(
  consumer: Consumer,
  topics: readonly string[],
  input: FetchedInput,
): LoopConsumer {
  return {
    async start(events) {
      await consumer.connect();
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => input.batchProcessed(payload));
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
        events.joined(new Map(Object.entries(payload.memberAssignment))),
      );
      consumer.on(consumer.events.CRASH, ({ payload }) =>
        events.crashed({ error: payload.error, restart: payload.restart }),
      );
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => input.enqueue(payload),
      });
    },
    stop: () => consumer.stop(),
    disconnect: () => consumer.disconnect(),
  };
}
