import type { SubjectState } from './consent-state.types';
import { writableRecord } from './consent-state.types';

/**
 * The subject's suppression ledger (`state.suppressed`): per destination, the purposes it has been
 * told to stop using the person for (R18, R19) and has not been allowed again. Why kept: the
 * compacted suppression topic keeps one record per subject, and with only the latest suppression
 * there a narrower later one (one purpose withdrawn) replaced a broader earlier one (an objection),
 * so a destination rebuilding from the topic would use the person again.
 */

/** Adds a suppression's purposes to a destination's set; true if the set grew. */
export function addSuppressed(
  state: SubjectState,
  destination: string,
  purposes: readonly string[],
): boolean {
  const current = state.suppressed[destination] ?? [];
  const added = purposes.filter((p) => !current.includes(p));
  if (added.length === 0) return false;
  writableRecord(state, 'suppressed')[destination] = [...current, ...added].sort();
  return true;
}

/**
 * Lifts purposes a valid consent granted again from every destination's set (a set left empty is
 * removed); returns the destinations whose set changed.
 */
export function liftSuppressed(state: SubjectState, granted: readonly string[]): string[] {
  if (granted.length === 0) return [];
  const changed: string[] = [];
  for (const [destination, purposes] of Object.entries(state.suppressed)) {
    const kept = purposes.filter((p) => !granted.includes(p));
    if (kept.length === purposes.length) continue;
    const ledger = writableRecord(state, 'suppressed');
    if (kept.length === 0) delete ledger[destination];
    else ledger[destination] = kept;
    changed.push(destination);
  }
  return changed;
}
