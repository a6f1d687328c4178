import type { PolicyOptions } from '../policy-file/compiled-policy.types';
import type { SubjectState } from './consent-state.types';

/**
 * When a subject's state may be forgotten: a pure function of the state and the policy, measured on
 * the subject's own clock (`lastAt`, its latest event time), never on wall time. Why: the engine
 * runs one core per partition and `govern dry-run` one core for all, so only what a subject's own
 * events say is the same in both.
 *
 * What is kept, and for how long:
 * - an objection (R19): for ever. Forgetting it would let direct marketing on legitimate interest
 *   flow again, the one decision an empty state gets wrong in the unsafe direction;
 * - withdrawals kept for a later identifier link (`stops`, at most 8 per key, only when the policy
 *   declares person identifiers): for ever. Forgetting them would let a person's grant older than a
 *   withdrawal made under their e-mail address survive the link made later (R18, R25): the unsafe
 *   direction, as for an objection;
 * - the customers whose claim on an identifier was refused (`sharedWith`, R25): for ever. Forgetting
 *   them would let a later withdrawal under the identifier miss them (the unsafe direction);
 * - suppressions sent and not lifted (the `suppressed` ledger): for ever. The compacted suppression
 *   topic holds their union; a forgotten ledger would let the next, narrower suppression replace it
 *   and a destination rebuilding from the topic would use the person again;
 * - a grant with a maximum age (R8, or a marketing maximum age): until it expires. Until then it can
 *   still permit, and forgetting it would withhold what the person allowed;
 * - a grant without a maximum age (soft opt-in, marketing consent when no age is set), withdrawals,
 *   refusals, the duplicate window: the declared horizon after the subject's last event. A forgotten
 *   grant fails closed (withheld); a forgotten withdrawal too (no grant, nothing forwarded). The
 *   horizon must exceed how late data can arrive: data collected before a withdrawal and arriving
 *   after its subject was forgotten would find no state and no duplicate window;
 * - an unconfirmed double opt-in sign-up: its confirmation window, then dropped (a confirmation
 *   after it grants nothing, as one of a sign-up never seen).
 * Without a horizon (`stateHorizonDays` unset) nothing expires.
 */

/** The event time from which the state no longer affects any decision: Infinity if never. */
export function expiresAt(state: SubjectState, options: PolicyOptions): number {
  const horizon = options.stateHorizonMs;
  if (
    horizon === null ||
    state.objection !== null ||
    Object.keys(state.suppressed).length > 0 ||
    (state.stops !== undefined && state.stops.length > 0) ||
    (state.sharedWith !== undefined && state.sharedWith.length > 0)
  )
    return Infinity;
  let end = state.lastAt + horizon;
  for (const grant of Object.values(state.purposes)) {
    const max =
      grant.source === 'cookie-banner' ? options.cookieConsentMaxAgeMs : options.marketingConsentMaxAgeMs;
    if (max !== null) end = Math.max(end, grant.renewedAt + max);
  }
  const marketingMax = options.marketingConsentMaxAgeMs;
  for (const grant of state.marketing)
    if (grant.basis === 'consent' && marketingMax !== null) end = Math.max(end, grant.since + marketingMax);
  const window = options.doubleOptInConfirmationMs;
  if (window !== null)
    for (const id of Object.keys(state.pending))
      end = Math.max(end, (state.pending[id] as { at: number }).at + window);
  return end;
}

/** True when the state can be forgotten at event time `now`. */
export function isExpired(state: SubjectState, options: PolicyOptions, now: number): boolean {
  const horizon = options.stateHorizonMs;
  // Every event asks this of its subject: a subject active within the horizon is answered without
  // looking at its grants (expiresAt is never earlier than lastAt + horizon).
  if (horizon === null || now < state.lastAt + horizon) return false;
  return expiresAt(state, options) <= now;
}

/**
 * Ids of the unconfirmed sign-ups whose confirmation window has passed at `now` (none without a
 * window). A confirmation exactly at the end of the window still counts.
 */
export function lapsedSignUps(state: SubjectState, options: PolicyOptions, now: number): string[] {
  const window = options.doubleOptInConfirmationMs;
  if (window === null) return [];
  return Object.keys(state.pending).filter((id) => now - (state.pending[id] as { at: number }).at > window);
}

/**
 * How many subjects the sweep looks at after each event, in turn. Why a few per event and not all
 * of them now and then: a full pass over hundreds of thousands of subjects is a pause in the
 * stream; a few per event cost a constant, small share, and a subject that expired is still
 * forgotten within one round (subjects held / this many events).
 */
export const SWEEP_PER_EVENT = 4;

/**
 * The clock the core sweeps by: the latest event time confirmed by the next event (the later of
 * the two times is not trusted until another event reaches it). Why: one event dated decades ahead
 * (a careless source) would otherwise make every other subject look expired and be forgotten at
 * once. Only forgetting depends on this clock, never a decision: a subject's own events expire it
 * themselves (see SubjectStore.subjectOf).
 */
export class SweepClock {
  private now = -Infinity;
  private last: number | null = null;

  /** Advances with an event's time; returns the clock's time (-Infinity before two events). */
  advance(t: number): number {
    if (this.last !== null) this.now = Math.max(this.now, Math.min(t, this.last));
    this.last = t;
    return this.now;
  }
}
