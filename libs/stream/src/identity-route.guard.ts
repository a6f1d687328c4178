import { type OutputRecord } from '@app/kafka';
import { errorName } from './claim-loop';
import { type IdentityHomes } from './identity-homes';
import {
  routeOne,
  type RouterInput,
  type RouterSequence,
  type RouteTargets,
  type RouteTracker,
} from './identity-route.step';
import { DEFAULT_MAX_RECORD_BYTES, firstOversized, oversizedReason } from './output-size';
import { engineDeadLetter } from './record-decision';
import { OutputTooLargeError, type RecordFailures, type RecordVerdict } from './record-failures';
import { type GovernedStreamObserver } from './stream-observer';

/** What guarded routing needs: the table, the failure counts, bounds and whom to tell. */
export interface RouteGuard {
  readonly homes: IdentityHomes;
  readonly failures: RecordFailures;
  /** The dead-letter topic. */
  readonly deadLetter: string;
  readonly maxRecordBytes?: number;
  readonly observer?: GovernedStreamObserver;
  /** Told where records went (the rule that shrinks the table). */
  readonly tracker?: RouteTracker;
}

/**
 * Routes one raw input, never half-applying it: when routing throws or a routed record would be too
 * large, the failure is counted and the error thrown, so the step aborts and the table comes back
 * from its changelog; once the record's budget is spent, it is dead-lettered without routing it
 * (the verdict is returned, the dead letter is in `records`).
 */
export function routeGuarded(
  guard: RouteGuard,
  input: RouterInput,
  targets: RouteTargets,
  sequence: RouterSequence,
  records: OutputRecord[],
): RecordVerdict | undefined {
  const at = { topic: input.topic, partition: input.partition, offset: input.message.offset };
  const known = guard.failures.verdict(at);
  if (known !== undefined) {
    records.push(engineDeadLetter(guard.deadLetter, input, known));
    return known;
  }
  const before = records.length;
  try {
    routeOne(guard.homes, input, targets, sequence, records, guard.tracker);
  } catch (error) {
    const name = errorName(error);
    const attempt = guard.failures.failed(at, name);
    guard.observer?.recordFailed?.({ stage: 'router', ...at, error: name, attempt });
    throw error;
  }
  const max = guard.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const over = firstOversized(records.slice(before), max);
  if (over !== undefined) {
    guard.failures.skip(at, { code: 'output-too-large', reason: oversizedReason(over, max) });
    guard.observer?.recordFailed?.({ stage: 'router', ...at, error: 'OutputTooLargeError', attempt: 1 });
    throw new OutputTooLargeError();
  }
  return undefined;
}
