import { type GovernanceProcessor } from '@app/policy';
import { type HandoverInbox } from './handover-inbox';
import { type InputQueue } from './input-merge';
import { type TransactionalProducer } from './step-transaction';

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
  processor: GovernanceProcessor;
  status: 'active' | 'released';
  /** With identity routing: states handed over by other tasks, waiting for their import marker. */
  readonly inbox: HandoverInbox | null;
}
