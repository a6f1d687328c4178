import { explainEvent } from '@app/policy';
import { replay, type ReplayOptions } from './dry-run.command';
import type { CommandOutput } from './validate.command';

/** `govern explain`: why each attribute of one event was or was not forwarded to one destination. */
export function explainCommand(
  options: ReplayOptions & { readonly eventId: string; readonly destination: string },
): CommandOutput {
  const replayed = replay(options);
  if (replayed.failure !== undefined) return replayed.failure;
  const { results, processor } = replayed;
  const { found, lines } = explainEvent(processor.policy, results, options.eventId, options.destination);
  return { exitCode: found ? 0 : 1, lines };
}
