import { explainEvent } from '@app/policy';
import { replay, type ReplayOptions } from './dry-run.command';
import type { CommandOutput } from './validate.command';

/** `govern explain`: why each attribute of one event was or was not forwarded to one destination. */
export function explainCommand(
  options: ReplayOptions & { readonly eventId: string; readonly destination: string },
): CommandOutput {
  const { results, processor } = replay(options);
  const { found, lines } = explainEvent(processor.policy, results, options.eventId, options.destination);
  return { exitCode: found ? 0 : 1, lines };
}
