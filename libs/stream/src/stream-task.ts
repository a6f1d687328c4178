import { type OutputRecord } from '@app/kafka';
import { type AggregateCounter } from '@app/policy';
import { type CountingInbox } from './aggregate-counting';
import { type DecisionCore } from './decision-core';
import { type HandoverInbox } from './handover-inbox';
import { type InputQueue } from './input-merge';
import { type TransactionalProducer } from './step-transaction';

/** A dead letter the claim found, and what to report once a step committed it. */
export interface PendingDeadLetter {
  readonly record: OutputRecord;
  readonly committed: () => void;
}

/**
 * Task p: partition p of every input topic and of the changelog, its own processor (the consent
 * state of the subjects keyed to p) and its own transactional producer (`${prefix}-task-${p}`).
 * Whoever claims the task initialises that id, which fences a zombie previous owner.
 */
export interface StreamTask {
  readonly partition: number;
  readonly queues: InputQueue[];
  readonly queueByTopic: ReadonlyMap<string, InputQueue>;
  readonly producer: TransactionalProducer;
  processor: DecisionCore;
  /** Dead letters found while claiming (corrupt changelog records), written by the next step. */
  readonly pending: PendingDeadLetter[];
  status: 'active' | 'released';
  /** With identity routing: states handed over by other tasks, waiting for their import marker. */
  readonly inbox: HandoverInbox | null;
  /** With aggregates (R23): the task's contributions partition and its counter. */
  readonly counting: { readonly inbox: CountingInbox; readonly counter: AggregateCounter } | null;
}
