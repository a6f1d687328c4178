import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { ProcessResult } from '../processor/processor.types';
import { AggregateCounter, type PublishedCount } from './aggregate-counter';

/**
 * The figures a replay publishes on the aggregate outputs, in input order: what `govern dry-run`
 * writes, and (as a set per key, whatever the partitioning) what the engine's counting tasks write.
 */
export function countReplayed(
  policy: CompiledPolicy,
  results: Iterable<Pick<ProcessResult, 'contributions'>>,
): PublishedCount[] {
  const counter = new AggregateCounter(policy);
  const out: PublishedCount[] = [];
  for (const r of results)
    for (const c of r.contributions ?? []) {
      const { published } = counter.add(c);
      if (published !== undefined) out.push(published);
    }
  return out;
}
