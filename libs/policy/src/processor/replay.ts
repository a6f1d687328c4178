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
 * Replays NDJSON text through one processor in line order, one result per non-empty line: what
 * `govern dry-run`, `govern explain` and the main job's comparison all see.
 */
export function replayLines(
  policy: CompiledPolicy,
  ndjson: string,
  options: ProcessorOptions,
): { results: ReplayedEvent[]; processor: GovernanceProcessor } {
  const processor = new GovernanceProcessor(policy, options);
  const results: ReplayedEvent[] = [];
  ndjson.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    results.push({ line: i + 1, result: processor.process(text, { line: i + 1 }) });
  });
  return { results, processor };
}
