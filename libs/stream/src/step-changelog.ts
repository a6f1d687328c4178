import { type OutputRecord } from '@app/kafka';
import { firstOversized, type Oversized } from './output-size';
import { type RecordAt } from './record-failures';

/**
 * A subject's state as a step last left it: the core's live state (serialised only when the step
 * ends), a state already serialised (a handover import), or null (a tombstone: the key left).
 */
export interface ChangedState {
  readonly state: object | string | null;
  /** The input record that changed it last; null for a handover. */
  readonly by: RecordAt | null;
}

/** The step's changelog: every changed key once, its state as of the step's last record (in `changed` order). */
export function changelogRecords(
  changelog: string,
  partition: number,
  changed: ReadonlyMap<string, ChangedState>,
): OutputRecord[] {
  const out: OutputRecord[] = [];
  for (const [key, { state }] of changed)
    out.push({
      topic: changelog,
      partition,
      key,
      value: state === null || typeof state === 'string' ? state : JSON.stringify(state),
    });
  return out;
}

/**
 * A changelog record over `maxBytes` and the input that changed its key last (it is dead-lettered on
 * the retry, and the state it would have made never exists). Why checked here and not per input:
 * serialising every state after every input, only to keep the last one per key, was work thrown
 * away; a state that large cannot normally arise (its lists are bounded), so finding the culprit
 * may take a retry per earlier input of the step that grew it.
 */
export function oversizedState(
  records: readonly OutputRecord[],
  changed: ReadonlyMap<string, ChangedState>,
  maxBytes: number,
): { readonly over: Oversized; readonly by: RecordAt } | undefined {
  let i = 0;
  for (const { by } of changed.values()) {
    const record = records[i++];
    const over = record === undefined ? undefined : firstOversized([record], maxBytes);
    // A handover's state (no input changed it here) is written as it came.
    if (over !== undefined && by !== null) return { over, by };
  }
  return undefined;
}
