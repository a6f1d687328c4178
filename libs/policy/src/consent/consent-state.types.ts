import { windowFromIds } from './duplicate-window';

/**
 * A person's folded consent and identity state. Plain JSON (numbers are epoch milliseconds) so the
 * engine can write it to a compacted changelog topic as-is and restore it with importState.
 *
 * Strict reading: only the currently active grant per purpose counts, and it counts for data
 * collected at or after `since` (R22). A withdrawal or objection removes the grant; a later grant
 * starts a new window.
 */
export interface SubjectState {
  /** Format version: 2 since `seen` holds hashes (a v1 state is upgraded on restore). */
  v: 2;
  /** Active consent grants per purpose. */
  purposes: Record<string, PurposeGrant>;
  /** Active marketing permissions (G3): consents (R14) and soft opt-ins (R15). */
  marketing: MarketingGrant[];
  /** Marketing consents captured on a double opt-in form, awaiting confirmation. */
  pending: Record<string, PendingGrant>;
  /** Last withdrawal per purpose, kept to explain why something is withheld (R18, R20). */
  withdrawn: Record<string, EvidenceRef>;
  /** Last evidence per purpose that was assessed invalid, with the rule that invalidated it. */
  refused: Record<string, RefusalRef>;
  /** Last evidence about e-mail permission that was assessed invalid (R14, R15, R17). */
  contactRefused: RefusalRef | null;
  /** Objection to direct marketing (Art. 21(2), R19). */
  objection: EvidenceRef | null;
  /** Hashes of the most recent event and evidence ids, for duplicate detection (duplicate-window.ts). */
  seen: number[];
  /** Set when this key is an alias (e.g. a cookie id) linked to another subject (R25). */
  linkedTo: string | null;
  /**
   * The subject's own clock: the latest event time (epoch ms) of an event decided for it. Expiry
   * (state-expiry.ts) measures from it, never from wall time, so the engine and dry-run agree.
   */
  lastAt: number;
  /**
   * Per destination, the purposes the subject is currently suppressed for (R18, R19): the union of
   * every suppression sent, less the purposes a later valid consent granted again. Kept so the
   * compacted suppression topic holds the whole set, not only the latest suppression. Absent
   * (`{}`) in states written before it existed.
   */
  suppressed: Record<string, string[]>;
  /**
   * Withdrawals received under this key, kept (at most {@link MAX_STOPS}, the newest) only when the
   * policy links declared identifiers: if the key is an identifier (an e-mail address) linked to a
   * person later, they are carried to the person's state with their scope (R18, R25). Absent: none.
   */
  stops?: StopRef[];
  /**
   * On an identifier linked to a person: the other customers whose claim on it was refused
   * (R25), at most {@link MAX_SHARED}, the first ones. A withdrawal or objection received under the
   * identifier later stops each of them too (fail closed: nobody knows which person sent it); a
   * grant received under it never reaches them. Absent: none.
   */
  sharedWith?: string[];
}

/** Most withdrawals kept per key for carrying over at a later identifier link. */
export const MAX_STOPS = 8;

/** Most refused claimants kept per identifier (see {@link SubjectState.sharedWith}). */
export const MAX_SHARED = 16;

/** A withdrawal as received, with its scope (see {@link SubjectState.stops}). */
export interface StopRef {
  at: number;
  evidenceId: string;
  all: boolean;
  purposes: string[];
  marketing: { brands?: string[]; channels?: string[]; productGroups?: string[] } | null;
}

export interface EvidenceRef {
  at: number;
  evidenceId: string;
}

export interface RefusalRef {
  evidenceId: string;
  rule: string;
  reason: string;
}

export interface PurposeGrant {
  /** Start of the continuous grant window: data collected before it is never used (R22). */
  since: number;
  /** Last renewal, for the maximum age (R8). */
  renewedAt: number;
  evidenceId: string;
  form: string;
  /** Cookie consents expire after the cookie maximum age, marketing ones after theirs. */
  source: 'cookie-banner' | 'marketing-consent';
}

export interface MarketingGrant {
  since: number;
  evidenceId: string;
  basis: 'consent' | 'soft-opt-in';
  brands: string[];
  channels: string[];
  productGroups: string[];
}

export interface PendingGrant {
  at: number;
  form: string;
  purposes: string[];
  scopes: { brands: string[]; channels: string[]; productGroups: string[] }[];
}

/**
 * A fresh state: no consent, fail closed. Its records and marketing list are shared frozen empties
 * (see {@link writableRecord}): write through {@link writableRecord} and {@link writableMarketing}.
 */
export function emptySubjectState(): SubjectState {
  return {
    v: 2,
    purposes: EMPTY_RECORD,
    marketing: EMPTY_LIST,
    pending: EMPTY_RECORD,
    withdrawn: EMPTY_RECORD,
    refused: EMPTY_RECORD,
    contactRefused: null,
    objection: null,
    seen: [],
    linkedTo: null,
    lastAt: 0,
    suppressed: EMPTY_RECORD,
  };
}

/**
 * An empty record of pending consents, keyed by evidence id: a prototype-less dictionary, because
 * the keys come from input and on a plain object `toString` or `__proto__` would read or write the
 * prototype (a confirmation naming `toString` made the fold throw). The other records are keyed by
 * declared purposes only (the fold ignores undeclared ones; the policy loader rejects purpose keys
 * that name an Object.prototype member). With `entries`, a copy of them (restoring a state read as
 * JSON).
 */
export function pendingRecord(
  entries?: Readonly<Record<string, PendingGrant>>,
): Record<string, PendingGrant> {
  const r = Object.create(null) as Record<string, PendingGrant>;
  if (entries !== undefined) for (const k of Object.keys(entries)) r[k] = entries[k] as PendingGrant;
  return r;
}

// The records and marketing list of a state that has never been written: shared, frozen, empty.
// Why: hundreds of thousands of subjects are kept, most never get a grant, withdrawal, refusal or
// pending consent, and their own empty objects (the pending one a dictionary-mode object in V8)
// made the core about 4 % slower. JSON output is the same `{}` / `[]`.
const EMPTY_RECORD: Record<string, never> = Object.freeze(Object.create(null) as Record<string, never>);
const EMPTY_LIST: never[] = Object.freeze([]) as unknown as never[];

/** `state[key]`, made the state's own object first if it is the shared empty one. */
export function writableRecord<K extends 'purposes' | 'pending' | 'withdrawn' | 'refused' | 'suppressed'>(
  state: SubjectState,
  key: K,
): SubjectState[K] {
  if (state[key] === EMPTY_RECORD)
    state[key] = (key === 'pending' || key === 'suppressed' ? Object.create(null) : {}) as SubjectState[K];
  return state[key];
}

/**
 * A copy of a state to roll back to: its own records and lists (the fold adds to and deletes from
 * them in place), sharing their grants and refs (the fold replaces those, it never changes one).
 * The shared frozen empties stay shared, so copying a fresh state allocates little. The window of
 * recent ids (`seen`) is shared, not copied: the subject store undoes its appends itself.
 */
export function snapshotState(state: SubjectState): SubjectState {
  const own = <T extends object>(r: T): T => (r === EMPTY_RECORD ? r : { ...r });
  return {
    ...state,
    purposes: own(state.purposes),
    marketing: state.marketing === EMPTY_LIST ? EMPTY_LIST : state.marketing.slice(),
    pending: state.pending === EMPTY_RECORD ? EMPTY_RECORD : pendingRecord(state.pending),
    withdrawn: own(state.withdrawn),
    refused: own(state.refused),
    suppressed: state.suppressed === EMPTY_RECORD ? EMPTY_RECORD : dictionary(state.suppressed),
  };
}

/** `state.marketing`, made the state's own list first if it is the shared empty one. */
export function writableMarketing(state: SubjectState): MarketingGrant[] {
  if (state.marketing === EMPTY_LIST) state.marketing = [];
  return state.marketing;
}

/**
 * A state read from JSON (changelog, handover) made live again: its pending record a dictionary,
 * a v1 state (ids in `seen`) upgraded to v2 (their hashes), and a state written before the
 * subject clock and the suppression ledger given them: the clock from the latest time the state
 * records, no suppressions (the compacted topic then starts its union from the next one).
 */
export function restoredState(state: SubjectState | SubjectStateV1): SubjectState {
  state.pending = pendingRecord(state.pending);
  const partial = state as Partial<Pick<SubjectState, 'lastAt' | 'suppressed'>>;
  const live = state as SubjectState;
  if (typeof partial.lastAt !== 'number') live.lastAt = latestRecordedTime(state);
  live.suppressed =
    typeof partial.suppressed !== 'object' || partial.suppressed === null
      ? {}
      : dictionary(partial.suppressed);
  if (state.v === 1) {
    const upgraded = state as unknown as SubjectState;
    upgraded.seen = windowFromIds(state.seen);
    upgraded.v = 2;
    return upgraded;
  }
  return state;
}

/**
 * A prototype-less copy of a record keyed by destination names read back from the changelog: as for
 * pending sign-ups, a key such as `__proto__` must stay a key (see {@link pendingRecord}).
 */
function dictionary<T>(entries: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** The latest event time a state written without a clock records (0 if none). */
function latestRecordedTime(state: SubjectState | SubjectStateV1): number {
  let t = 0;
  for (const g of Object.values(state.purposes ?? {})) t = Math.max(t, g.renewedAt, g.since);
  for (const g of state.marketing ?? []) t = Math.max(t, g.since);
  for (const p of Object.values(state.pending ?? {})) t = Math.max(t, p.at);
  for (const w of Object.values(state.withdrawn ?? {})) t = Math.max(t, w.at);
  if (state.objection) t = Math.max(t, state.objection.at);
  return Number.isFinite(t) ? t : 0;
}

/** The state format before v2: the same, with the ids themselves in `seen`. */
export interface SubjectStateV1 extends Omit<SubjectState, 'v' | 'seen' | 'lastAt' | 'suppressed'> {
  v: 1;
  seen: string[];
}

/** Checks that a value restored from the changelog has the shape of a v2 or v1 state. */
export function isSubjectState(value: unknown): value is SubjectState | SubjectStateV1 {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<SubjectState> | Partial<SubjectStateV1>;
  return (
    ((s.v === 2 && Array.isArray(s.seen) && s.seen.every((h) => typeof h === 'number')) ||
      (s.v === 1 && Array.isArray(s.seen) && s.seen.every((id) => typeof id === 'string'))) &&
    typeof s.purposes === 'object' &&
    Array.isArray(s.marketing) &&
    typeof s.pending === 'object' &&
    (!('lastAt' in s) || (typeof s.lastAt === 'number' && Number.isFinite(s.lastAt))) &&
    (!('suppressed' in s) || isSuppressedRecord(s.suppressed)) &&
    (!('stops' in s) || isStopList((s as Partial<SubjectState>).stops)) &&
    (!('sharedWith' in s) || isKeyList((s as Partial<SubjectState>).sharedWith))
  );
}

/** Refused claimants as read back: subject keys (never empty, as no subject key is). */
function isKeyList(value: unknown): boolean {
  return Array.isArray(value) && value.every((k) => typeof k === 'string' && k !== '');
}

/**
 * Withdrawals kept for a later identifier link, as read back. Why checked: the link merges them
 * into a person's state, and a malformed one would make that event fail instead of quarantining
 * the key at restore.
 */
function isStopList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((stop: unknown) => {
      if (typeof stop !== 'object' || stop === null) return false;
      const r = stop as Partial<StopRef>;
      return (
        typeof r.at === 'number' &&
        typeof r.evidenceId === 'string' &&
        typeof r.all === 'boolean' &&
        Array.isArray(r.purposes) &&
        r.purposes.every((p) => typeof p === 'string') &&
        (r.marketing === null || isScope(r.marketing))
      );
    })
  );
}

/** A withdrawal's marketing scope as read back: each dimension absent or a list of names. */
function isScope(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return ['brands', 'channels', 'productGroups'].every(
    (k) => m[k] === undefined || (Array.isArray(m[k]) && m[k].every((x) => typeof x === 'string')),
  );
}

/** A suppression ledger as read back: destination → list of purpose names. */
function isSuppressedRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((p) => typeof p === 'string'))
  );
}
