import { type Producer } from 'kafkajs';
import { type GovernanceProcessor } from '@app/policy';
import { type HandoverInbox } from './handover-inbox';
import { type InputQueue } from './input-merge';

/**
 * Task p: partition p of every input topic and of the changelog, its own processor (the consent
 * state of the subjects keyed to p) and its own transactional producer (`${prefix}-task-${p}`).
 * Whoever claims the task initialises that id, which fences a zombie previous owner.
 */
export interface StreamTask {
  readonly partition: number;
  readonly queues: InputQueue[];
  readonly queueByTopic: ReadonlyMap<string, InputQueue>;
  readonly producer: Producer;
  processor: GovernanceProcessor;
  status: 'active' | 'released';
  /** Input partitions paused because their queue is full. */
  readonly paused: Set<string>;
  /** With identity routing: states handed over by other tasks, waiting for their import marker. */
  readonly inbox: HandoverInbox | null;
}
