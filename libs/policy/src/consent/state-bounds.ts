import type { MarketingGrant, PendingGrant, SubjectState } from './consent-state.types';
import { writableMarketing, writableRecord } from './consent-state.types';

/**
 * Bounds of the lists in a subject's state that grow with input. Why: the state is kept in memory
 * for every subject and written whole to the changelog on every change; twenty unconfirmed double
 * opt-in sign-ups made one state of 1.3 MB. The other parts are bounded already: records keyed by
 * declared purposes, `seen` by the duplicate window, scopes by the policy's forms.
 */

/** Most unconfirmed double opt-in sign-ups kept per subject; the oldest is dropped beyond it. */
export const MAX_PENDING = 16;

/** Most marketing grants kept per subject; the oldest is dropped beyond it. */
export const MAX_MARKETING = 32;

/**
 * Adds an unconfirmed sign-up; true if an older one was dropped to make room. Dropping fails
 * closed: the dropped sign-up's late confirmation finds nothing to confirm and grants nothing.
 */
export function addPending(state: SubjectState, evidenceId: string, grant: PendingGrant): boolean {
  const pending = writableRecord(state, 'pending');
  pending[evidenceId] = grant;
  const ids = Object.keys(pending);
  if (ids.length <= MAX_PENDING) return false;
  // Oldest by evidence time, not by key order (integer-like keys are ordered by value).
  let oldest = ids[0] as string;
  for (const id of ids)
    if ((pending[id] as PendingGrant).at < (pending[oldest] as PendingGrant).at) oldest = id;
  delete pending[oldest];
  return true;
}

/**
 * Adds a marketing grant, dropping the oldest grant beyond {@link MAX_MARKETING}. Dropping fails
 * closed: a grant only ever permits, so fewer grants never permit more. The newest grants stay.
 */
export function addMarketing(state: SubjectState, grant: MarketingGrant): void {
  const list = writableMarketing(state);
  list.push(grant);
  if (list.length <= MAX_MARKETING) return;
  let oldest = 0;
  for (let i = 1; i < list.length; i++)
    if ((list[i] as MarketingGrant).since < (list[oldest] as MarketingGrant).since) oldest = i;
  list.splice(oldest, 1);
}
