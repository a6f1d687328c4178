import { GovernanceProcessor } from './governance.processor';
import type { ProcessorOptions, ProcessResult } from './processor.types';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';

/** One replayed input line and what the decision core made of it. */
export interface ReplayedEvent {
  /** 1-based line number in the input text. */
  readonly line: number;
  readonly result: ProcessResult;
}

/**
 * Where a replayed line was read from, as the policy names topics (`source.crm`,
 * `consent.evidence`): undefined when unknown, as in a mixed file. Given a topic, the core checks
 * the event against the policy's declaration of that topic, as the engine does.
 */
export type LineTopic = (text: string, line: number) => string | undefined;

/**
 * Replays NDJSON text through one processor in line order, one result per non-empty line: what
 * `govern dry-run`, `govern explain` and the main job's comparison all see.
 */
export function replayLines(
  policy: CompiledPolicy,
  ndjson: string,
  options: ProcessorOptions,
  topicOf?: LineTopic,
): { results: ReplayedEvent[]; processor: GovernanceProcessor } {
  const processor = new GovernanceProcessor(policy, options);
  const results: ReplayedEvent[] = [];
  ndjson.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    const line = i + 1;
    results.push({ line, result: processor.process(text, { line, topic: topicOf?.(text, line) }) });
  });
  return { results, processor };
}
