import type { CloudEvent } from '@app/contracts/cloud-event.types';
import {
  emptySubjectState,
  isSubjectState,
  MAX_SHARED,
  restoredState,
  snapshotState,
  type SubjectState,
  type SubjectStateV1,
  writableRecord,
} from '../consent/consent-state.types';
import { addToWindow, inWindow } from '../consent/duplicate-window';
import {
  type ExportedState,
  type ImportOutcome,
  isQuarantinedState,
  QUARANTINED,
} from '../consent/state-quarantine';
import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import { purposeStatus } from '../consent/purpose-status';
import { isExpired, lapsedSignUps } from '../consent/state-expiry';
import { canonicalSubjectKey } from '../consent/subject-key';
import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';
import { keepStop, type MergeStops, mergeIdentifierState } from './identifier-merge';

/** An identity link asked for by a source event (R25): joined, or refused (why in `refusedBy`). */
export interface IdentityLink {
  /** The identifier named in the event (e.g. a cookie id, an e-mail address). */
  readonly alias: string;
  readonly linked: boolean;
  /** When refused: the reason code and rule that refused the link (R27); null when linked. */
  readonly refusedBy: LinkRefusal | null;
  /** The identifier's own entry, if any; when linked, its state changed (it points to the subject). */
  readonly aliasSubject: Subject | undefined;
  /** For a declared identifier whose state was merged: what its stops took from the person. */
  readonly stops?: MergeStops;
  /** For a refused declared identifier: true when the person was added to its `sharedWith`. */
  readonly shared?: boolean;
}

/** The reason code and rule that refused an identity link (R27). */
export interface LinkRefusal {
  readonly reason: string;
  readonly rule: string;
}

/** A subject as the processor keeps it. */
export interface Subject {
  /** The resolved key (after identity links). */
  readonly key: string;
  readonly state: SubjectState;
  /**
   * Its keyed pseudonym, set by the emit stage on first use. Why kept here: looking it up in the
   * pseudonymiser's cache (a Map of every key) on every event made the core about 6 % slower.
   */
  pseudonym: string | null;
}

/**
 * Stage 2: who an event is about. Keeps every subject's consent state, resolves identity links,
 * detects duplicates in each subject's window of recent ids, and joins identities (R25).
 */
export class SubjectStore {
  private readonly subjects = new Map<string, Subject>();
  /**
   * What the current event changed, per subject key, to undo it (null: the event created the
   * subject). Why: a defect that throws halfway through an event must leave no trace in memory, or
   * the engine (whose changelog never sees the half update) and a replay would decide differently
   * afterwards. Why an undo log and not a copy of every touched state: copying each state (its
   * records and its window of up to 256 hashes) on every event made the core measurably slower,
   * while most events change nothing but the window.
   */
  private readonly undo = new Map<string, EventUndo | null>();
  /** Keys whose stored state was not a valid state: they have no entry, nothing is decided for them. */
  private readonly quarantined = new Set<string>();
  /** Where the sweep's round over the subjects stands (null: start a new round). */
  private round: IterableIterator<[string, Subject]> | null = null;

  /** True when some event type links a declared identifier: only then are withdrawals kept apart. */
  private readonly linksIdentifiers: boolean;

  constructor(private readonly policy: CompiledPolicy) {
    this.linksIdentifiers = [...policy.eventTypes.values()].some((t) => t.personIdentifiers.length > 0);
  }

  /** Ends an event that completed: its changes stay. */
  commit(): void {
    if (this.undo.size > 0) this.undo.clear();
  }

  /** Undoes every change of the current event: states, subjects it created, identity links. */
  rollback(): void {
    for (const [key, undo] of this.undo) {
      const subject = this.subjects.get(key);
      if (undo === null) this.subjects.delete(key);
      else if (subject !== undefined) undoChanges(subject.state, undo);
    }
    this.undo.clear();
  }

  /** The undo entry of an existing subject for the current event, created on its first change. */
  private undoOf(subject: Subject): EventUndo | null {
    const found = this.undo.get(subject.key);
    if (found !== undefined) return found;
    const undo: EventUndo = { before: null, appended: 0, dropped: NONE };
    this.undo.set(subject.key, undo);
    return undo;
  }

  /**
   * Must be called before the current event changes anything in the subject's state other than its
   * window of recent ids (which only {@link remember} changes, with its own undo): copies the state
   * on its first change in the event (copy on write), so {@link rollback} can restore it. The fold
   * of consent evidence and identity links call it; so must any new code that writes a state.
   */
  willChange(subject: Subject): void {
    const undo = this.undoOf(subject);
    if (undo !== null && undo.before === null) undo.before = snapshotState(subject.state);
  }

  /**
   * The subject a key stands for after identity links, as of the event time `t`: created with an
   * empty state (no consent: fail closed) on first sight, and started afresh when its state has
   * expired at `t` (state-expiry.ts). An alias points to the subject it was joined to; that subject
   * may itself have been linked since (a cookie joined to an e-mail address that a CRM event linked
   * to the customer later), so links are followed, at most {@link MAX_LINK_HOPS} of them, through
   * every entry that is not {@link dead}. Why expiry here and not only in {@link sweep}: whether the
   * sweep has already removed a subject depends on other subjects' events, which differ between the
   * engine's tasks and dry-run; resolving a dead entry as a missing one makes every decision
   * independent of when the sweep ran.
   */
  subjectOf(key: string, t: number): Subject {
    const found = this.subjects.get(key);
    if (found === undefined) return this.create(key);
    if (this.dead(found, t)) return this.renew(found);
    let at = found;
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      const linked = at.state.linkedTo;
      if (linked === null) break;
      const target = this.subjects.get(linked);
      // A live alias outlives its dead target: the target starts afresh (the sweep's rule).
      if (target === undefined) return this.create(linked);
      if (this.dead(target, t)) return this.renew(target);
      at = target;
    }
    return this.live(at, t);
  }

  /**
   * True when the entry can be forgotten at `t` without changing any decision: its own state has
   * expired and so has every entry down its chain of links (or the chain ends at a missing key).
   * Why the whole chain: an alias whose own state expired still leads to a live person, and
   * forgetting it would send a withdrawal made under it to a fresh state instead of the person's.
   * Beyond {@link MAX_LINK_HOPS} links a chain counts as ended, as {@link subjectOf} follows no
   * further; then removing a dead entry never makes another entry's answer change.
   */
  private dead(subject: Subject, t: number): boolean {
    let at = subject;
    for (let hops = 0; ; hops++) {
      if (!this.expired(at, t)) return false;
      const linked = at.state.linkedTo;
      const target = linked === null || hops === MAX_LINK_HOPS ? undefined : this.subjects.get(linked);
      if (target === undefined) return true;
      at = target;
    }
  }

  /** The entry of a key as of `t`, without touching it: undefined if unknown or {@link dead}. */
  private entryAt(key: string, t: number): Subject | undefined {
    const found = this.subjects.get(key);
    return found === undefined || this.dead(found, t) ? undefined : found;
  }

  private expired(subject: Subject, t: number): boolean {
    return isExpired(subject.state, this.policy.options, t);
  }

  /** A kept subject, without the sign-ups whose confirmation window passed at `t`. */
  private live(subject: Subject, t: number): Subject {
    const lapsed = lapsedSignUps(subject.state, this.policy.options, t);
    if (lapsed.length > 0) this.willChange(subject);
    for (const id of lapsed) delete subject.state.pending[id];
    return subject;
  }

  /** Starts an expired subject afresh, in place (its entry and pseudonym stay; rollback restores). */
  private renew(subject: Subject): Subject {
    this.willChange(subject);
    const undo = this.undoOf(subject);
    if (undo !== null) {
      // The fresh state has a new clock and a new window: a rollback puts the old ones back whole.
      undo.lastAt ??= subject.state.lastAt;
      undo.window ??= subject.state.seen;
    }
    Object.assign(subject.state, emptySubjectState());
    delete subject.state.stops;
    delete subject.state.sharedWith;
    return subject;
  }

  /** Moves the subject's own clock to the event time `t` if later. */
  clock(subject: Subject, t: number): void {
    if (t <= subject.state.lastAt) return;
    // Most events change nothing else: the undo log keeps the old time instead of a copy.
    const undo = this.undoOf(subject);
    if (undo !== null && undo.lastAt === undefined) undo.lastAt = subject.state.lastAt;
    subject.state.lastAt = t;
  }

  /**
   * Looks at the next `budget` subjects in turn (a round over all of them, then again) and forgets
   * those that are {@link dead} at `now` (state-expiry.ts): a subject, or an alias whose own state
   * has expired and every entry down its chain too (the rule of {@link subjectOf}). Returns
   * their keys for changelog tombstones. Only between events: a forgotten subject has no rollback.
   */
  sweep(now: number, budget: number): string[] {
    const gone: string[] = [];
    let restarted = false;
    for (let looked = 0; looked < budget; ) {
      this.round ??= this.subjects.entries();
      const next = this.round.next();
      if (next.done === true) {
        this.round = null;
        // An empty or fully visited store: one restart per call, not a spin.
        if (restarted) break;
        restarted = true;
        continue;
      }
      looked++;
      const [key, subject] = next.value;
      if (!this.dead(subject, now)) continue;
      this.subjects.delete(key);
      gone.push(key);
    }
    return gone;
  }

  private create(key: string): Subject {
    const subject = newSubject(key, emptySubjectState());
    this.subjects.set(key, subject);
    if (!this.undo.has(key)) this.undo.set(key, null);
    return subject;
  }

  /**
   * The state kept under `key` itself, not following an identity link: a device's own banner
   * choices (G1) even after it was linked to a person. Undefined when the key has no entry, or when
   * its own state has expired at the event time `t`: whether the sweep has removed it yet differs
   * between runs, so an expired state counts as none in every run.
   */
  ownState(key: string, t: number): SubjectState | undefined {
    const found = this.subjects.get(key);
    return found === undefined || this.expired(found, t) ? undefined : found.state;
  }

  /**
   * The entry of a key that is linked to another subject (an identifier joined to a person), made
   * ready to change; undefined when the key has no entry of its own or is not linked.
   */
  linkedEntry(key: string): Subject | undefined {
    const found = this.subjects.get(key);
    if (found === undefined || found.state.linkedTo === null) return undefined;
    this.willChange(found);
    return found;
  }

  /** True if one of the hashes is in the subject's window of recent ids. */
  isDuplicate(subject: Subject, ...hashes: number[]): boolean {
    return this.policy.options.duplicateWindow > 0 && hashes.some((h) => inWindow(subject.state.seen, h));
  }

  /** Adds the hashes to the subject's window (the oldest fall out). */
  remember(subject: Subject, ...hashes: number[]): void {
    const window = this.policy.options.duplicateWindow;
    if (window === 0) return;
    const undo = this.undoOf(subject);
    for (const h of hashes) {
      const dropped = addToWindow(subject.state.seen, h, window);
      if (undo === null) continue;
      undo.appended++;
      if (dropped.length > 0)
        undo.dropped = undo.dropped.length === 0 ? [...dropped] : [...undo.dropped, ...dropped];
    }
  }

  /**
   * True when `key` is quarantined or is an alias linked to a quarantined subject: an event about it
   * would be decided on a state nobody knows (a fresh one has no objection and no withdrawal).
   */
  isQuarantined(key: string): boolean {
    if (this.quarantined.size === 0) return false;
    if (this.quarantined.has(key)) return true;
    const linked = this.subjects.get(key)?.state.linkedTo ?? null;
    return linked !== null && this.quarantined.has(linked);
  }

  /** The canonical key of the identifier a source event asks to link (R25), or null. */
  aliasOf(event: CloudEvent, spec: EventTypeSpec): string | null {
    const link = spec.identityLink;
    if (link === undefined) return null;
    const raw = (event.data as Record<string, unknown>)[link.aliasPath];
    return typeof raw !== 'string' || raw.trim() === '' ? null : canonicalSubjectKey(raw);
  }

  /**
   * R25: a source event that names another identifier (e.g. the cookie id on a login) joins it to
   * the subject only when the identifier carries a valid consent for the required purpose at `t`.
   * Then the identifier's grants and withdrawals follow the person (the subject's own win) and the
   * identifier resolves to the subject from now on. Null when the event names no other identifier.
   */
  link(event: CloudEvent, spec: EventTypeSpec, subject: Subject, t: number): IdentityLink | null {
    const link = spec.identityLink;
    const alias = this.aliasOf(event, spec);
    if (link === undefined || alias === null || alias === subject.key) return null;
    const purpose = link.requiresPurpose.key;
    // An expired entry is no identifier to join: as if the sweep had forgotten it already.
    const aliasSubject = this.entryAt(alias, t);
    const aliasState = aliasSubject?.state;
    const grant = aliasState?.purposes[purpose];
    const max = this.policy.options.cookieConsentMaxAgeMs;
    const valid = grant !== undefined && grant.since <= t && (max === null || t - grant.renewedAt <= max);
    if (!valid || aliasSubject === undefined || aliasState === undefined) {
      const s = purposeStatus(this.policy, aliasState, link.requiresPurpose, t);
      // A consent the status calls open but the link refuses was given after the event (R22).
      const refusedBy = s.ok
        ? { reason: 'collected-before-basis', rule: 'R22' }
        : { reason: s.reason, rule: s.rule };
      return { alias, linked: false, refusedBy, aliasSubject };
    }
    this.willChange(subject);
    this.willChange(aliasSubject);
    const objection = subject.state.objection ?? aliasState.objection;
    // R19: an objection (the person's, or one recorded on the identifier) is not undone by a link:
    // a direct-marketing grant joins only if it was given (or renewed) after the objection.
    if (subject.state.objection === null && objection !== null) subject.state.objection = objection;
    for (const [p, g] of Object.entries(aliasState.purposes)) {
      if (subject.state.purposes[p] !== undefined) continue;
      const objected =
        objection !== null &&
        g.renewedAt <= objection.at &&
        this.policy.purposes.get(p)?.directMarketing === true;
      if (!objected) writableRecord(subject.state, 'purposes')[p] = g;
    }
    for (const [p, w] of Object.entries(aliasState.withdrawn))
      if (subject.state.withdrawn[p] === undefined) writableRecord(subject.state, 'withdrawn')[p] = w;
    aliasState.linkedTo = subject.key;
    return { alias, linked: true, refusedBy: null, aliasSubject };
  }

  /** The canonical key of the declared identifier a source event names (R25), or null. */
  identifierOf(event: CloudEvent, spec: EventTypeSpec): string | null {
    const path = spec.personIdentifiers[0];
    if (path === undefined) return null;
    const raw = (event.data as Record<string, unknown>)[path];
    return typeof raw !== 'string' || raw.trim() === '' ? null : canonicalSubjectKey(raw);
  }

  /**
   * R25 for a declared identifier: a source that knows the person by another identifier (the CRM
   * knows the customer's e-mail address) links it to the subject, with no consent needed (the
   * person gave the address to the controller, and the link serves to honour what they say under
   * it). The identifier's state is merged into the person's first (see {@link mergeIdentifierState}),
   * so evidence that arrived under it before the link counts; from then on the identifier resolves
   * to the person. An identifier already linked to another person is refused (fail closed: neither
   * person gets the other's permissions); the stops received under it before its first link still
   * reach this person, and the person is kept on the identifier so that later ones do too (see
   * {@link sharedWith}). Null when the event names no identifier or one already linked to the subject.
   */
  linkIdentifier(event: CloudEvent, spec: EventTypeSpec, subject: Subject, t: number): IdentityLink | null {
    const alias = this.identifierOf(event, spec);
    if (alias === null || alias === subject.key) return null;
    const found = this.subjects.get(alias);
    // A dead entry is no identifier's state: as if the sweep had forgotten it already.
    const aliasSubject = found === undefined || this.dead(found, t) ? undefined : found;
    const owner = aliasSubject?.state.linkedTo ?? null;
    if (owner === subject.key) return null;
    if (aliasSubject === undefined) {
      const fresh = found === undefined ? this.create(alias) : this.renew(found);
      fresh.state.linkedTo = subject.key;
      return { alias, linked: true, refusedBy: null, aliasSubject: fresh };
    }
    this.willChange(subject);
    if (owner !== null) {
      const stops = mergeIdentifierState(this.policy, subject.state, aliasSubject.state, true);
      const shared = aliasSubject.state.sharedWith ?? [];
      const kept = !shared.includes(subject.key) && shared.length < MAX_SHARED;
      if (kept) {
        this.willChange(aliasSubject);
        // Replaced, not changed in place: a rollback to the copy undoes it.
        aliasSubject.state.sharedWith = [...shared, subject.key];
      }
      return { alias, linked: false, refusedBy: IDENTIFIER_TAKEN_BY, aliasSubject, stops, shared: kept };
    }
    this.willChange(aliasSubject);
    const stops = mergeIdentifierState(this.policy, subject.state, aliasSubject.state);
    aliasSubject.state.linkedTo = subject.key;
    return { alias, linked: true, refusedBy: null, aliasSubject, stops };
  }

  /**
   * R25, fail closed: the other customers who claimed the identifier `key` and were refused, as of
   * `t`, excluding `resolved` (the person the identifier resolves to). Evidence received under the
   * identifier is folded into `resolved`; a stop in it must reach these customers too, as nobody
   * can tell which of them sent it. Empty when `key` is not an identifier linked to a person.
   */
  sharedWith(key: string, resolved: Subject, t: number): Subject[] {
    const shared = this.subjects.get(key)?.state.sharedWith;
    if (shared === undefined || shared.length === 0) return [];
    const out: Subject[] = [];
    for (const k of shared) {
      const other = this.subjectOf(k, t);
      if (other !== resolved && !out.includes(other)) out.push(other);
    }
    return out;
  }

  /** True when one of the refused claimants of the identifier `key` is quarantined. */
  isSharedQuarantined(key: string): boolean {
    if (this.quarantined.size === 0) return false;
    return (this.subjects.get(key)?.state.sharedWith ?? []).some((k) => this.isQuarantined(k));
  }

  /**
   * Keeps a withdrawal received under a subject for a later identifier link, when the policy
   * declares identifiers to link (see {@link keepStop}).
   */
  keepStop(subject: Subject, assessment: EvidenceAssessment, at: number): void {
    if (!this.linksIdentifiers || !assessment.valid || assessment.effect.type !== 'withdrawal') return;
    this.willChange(subject);
    keepStop(subject.state, assessment, at);
  }

  /**
   * The JSON-serialisable state of one subject key (for the changelog), its quarantine marker, or
   * null if unknown.
   */
  exportState(subjectKey: string): ExportedState | null {
    if (this.quarantined.has(subjectKey)) return QUARANTINED;
    const subject = this.subjects.get(subjectKey);
    return subject === undefined ? null : (JSON.parse(JSON.stringify(subject.state)) as SubjectState);
  }

  /**
   * Restores one subject's state from the changelog or a handover. A null state (tombstone) forgets
   * the subject; anything that is not a valid state quarantines it (see {@link ImportOutcome}).
   */
  importState(subjectKey: string, state: unknown): ImportOutcome {
    this.subjects.delete(subjectKey);
    if (state !== null && !isSubjectState(state)) {
      this.quarantined.add(subjectKey);
      return isQuarantinedState(state) ? 'carried' : 'quarantined';
    }
    this.quarantined.delete(subjectKey);
    if (state === null) return 'restored';
    const copy = JSON.parse(JSON.stringify(state)) as SubjectState | SubjectStateV1;
    this.subjects.set(subjectKey, newSubject(subjectKey, restoredState(copy)));
    return 'restored';
  }

  /** Subject keys with state or quarantined, for snapshots and tests. */
  keys(): IterableIterator<string> {
    return new Set([...this.subjects.keys(), ...this.quarantined]).values();
  }
}

/**
 * Links followed from a key to its subject. Why bounded: links never form a cycle (a link to a key
 * that resolves to the subject itself is no link), but a restored state is input and must not hang.
 */
const MAX_LINK_HOPS = 4;

/** One identifier names one person (R25): a second person's claim on it is refused. */
const IDENTIFIER_TAKEN_BY: LinkRefusal = { reason: 'identifier-taken', rule: 'R25' };

/** What one event changed in an existing subject's state. */
interface EventUndo {
  /** The state before the event's first change beyond the window (null: nothing else changed). */
  before: SubjectState | null;
  /** Window entries the event appended. */
  appended: number;
  /** Entries those appends pushed out of the window's front, oldest first. */
  dropped: readonly number[];
  /** The subject's clock before the event moved it (undefined: not moved). */
  lastAt?: number;
  /** The window before the event replaced it with a new one (undefined: not replaced). */
  window?: number[];
}

const NONE: readonly number[] = Object.freeze([]);

/** Restores a state: its fields from the copy, then its window by taking the appends back. */
function undoChanges(state: SubjectState, undo: EventUndo): void {
  // Every drop is from the front of the window followed by its appends, so dropped + window is that
  // sequence whole, and the window before the event is it without the appends.
  const whole = [...undo.dropped, ...state.seen];
  if (undo.before !== null) {
    Object.assign(state, undo.before);
    // The one optional field: a copy without it does not take it away by assigning.
    if (undo.before.stops === undefined) delete state.stops;
    if (undo.before.sharedWith === undefined) delete state.sharedWith;
  }
  // After the copy: it may have been taken after the clock moved.
  if (undo.lastAt !== undefined) state.lastAt = undo.lastAt;
  // The copy shares the live window (see snapshotState): only the undo log restores it.
  state.seen = undo.window ?? whole.slice(0, whole.length - undo.appended);
}

function newSubject(key: string, state: SubjectState): Subject {
  return { key, state, pseudonym: null };
}
