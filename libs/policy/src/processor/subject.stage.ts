import type { CloudEvent } from '@app/contracts/cloud-event.types';
import {
  emptySubjectState,
  isSubjectState,
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
import { purposeStatus } from '../consent/purpose-status';
import { isExpired, lapsedSignUps } from '../consent/state-expiry';
import { canonicalSubjectKey } from '../consent/subject-key';
import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';

/** An identity link asked for by a source event (R25): joined, or refused for want of consent. */
export interface IdentityLink {
  /** The identifier named in the event (e.g. a cookie id). */
  readonly alias: string;
  /** The purpose whose consent on the identifier the link needs. */
  readonly purpose: string;
  readonly linked: boolean;
  /** When refused: the reason code and rule that decided the identifier's consent (R27). */
  readonly refusedBy: { readonly reason: string; readonly rule: string } | null;
  /** The identifier's own entry, if any; when linked, its state changed (it points to the subject). */
  readonly aliasSubject: Subject | undefined;
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
   * The state every subject had before the current event touched it (null: the event created it).
   * Why: a defect that throws halfway through an event must leave no trace in memory, or the engine
   * (whose changelog never sees the half update) and a replay would decide differently afterwards.
   */
  private readonly before = new Map<string, SubjectState | null>();
  /** Keys whose stored state was not a valid state: they have no entry, nothing is decided for them. */
  private readonly quarantined = new Set<string>();
  /** Where the sweep's round over the subjects stands (null: start a new round). */
  private round: IterableIterator<[string, Subject]> | null = null;

  constructor(private readonly policy: CompiledPolicy) {}

  /** Ends an event that completed: its changes stay. */
  commit(): void {
    this.before.clear();
  }

  /** Undoes every change of the current event: states, subjects it created, identity links. */
  rollback(): void {
    for (const [key, state] of this.before) {
      const subject = this.subjects.get(key);
      if (state === null) this.subjects.delete(key);
      else if (subject !== undefined) Object.assign(subject.state, state);
    }
    this.before.clear();
  }

  /** Records a subject's state before the current event may change it (first touch only). */
  private touch(subject: Subject): Subject {
    if (!this.before.has(subject.key)) this.before.set(subject.key, snapshotState(subject.state));
    return subject;
  }

  /**
   * The subject a key stands for after identity links (one level: an alias points to the subject
   * it was joined to), as of the event time `t`: created with an empty state (no consent: fail
   * closed) on first sight, and started afresh when its state has expired at `t` (state-expiry.ts).
   * Why here and not only in {@link sweep}: whether the sweep has already removed a subject depends
   * on other subjects' events, which differ between the engine's tasks and dry-run; expiring on the
   * subject's own next event makes every decision independent of when the sweep ran.
   */
  subjectOf(key: string, t: number): Subject {
    const found = this.subjects.get(key);
    const linked = found?.state.linkedTo ?? null;
    if (found === undefined) return this.create(key);
    if (linked === null) return this.expired(found, t) ? this.renew(found) : this.live(found, t);
    const target = this.subjects.get(linked);
    if (target !== undefined && !this.expired(target, t)) return this.live(target, t);
    // The alias outlives its expired target only while its own state is kept (the sweep's rule).
    if (this.expired(found, t)) return this.renew(found);
    return target === undefined ? this.create(linked) : this.renew(target);
  }

  /**
   * The entry of a key as of `t`, without touching it: undefined if unknown or expired. For an alias
   * entry, expired means its own state and its target's both are (see {@link subjectOf}).
   */
  private entryAt(key: string, t: number): Subject | undefined {
    const found = this.subjects.get(key);
    if (found === undefined || !this.expired(found, t)) return found;
    const linked = found.state.linkedTo;
    const target = linked === null ? undefined : this.subjects.get(linked);
    return target !== undefined && !this.expired(target, t) ? found : undefined;
  }

  private expired(subject: Subject, t: number): boolean {
    return isExpired(subject.state, this.policy.options, t);
  }

  /** Touches a kept subject and drops its sign-ups whose confirmation window passed at `t`. */
  private live(subject: Subject, t: number): Subject {
    this.touch(subject);
    for (const id of lapsedSignUps(subject.state, this.policy.options, t)) delete subject.state.pending[id];
    return subject;
  }

  /** Starts an expired subject afresh, in place (its entry and pseudonym stay; rollback restores). */
  private renew(subject: Subject): Subject {
    this.touch(subject);
    Object.assign(subject.state, emptySubjectState());
    return subject;
  }

  /** Moves the subject's own clock to the event time `t` if later. */
  clock(subject: Subject, t: number): void {
    if (t > subject.state.lastAt) subject.state.lastAt = t;
  }

  /**
   * Looks at the next `budget` subjects in turn (a round over all of them, then again) and forgets
   * those whose state has expired at `now` (state-expiry.ts): a subject, or an alias whose own
   * state has expired and whose target has too or is gone (the rule of {@link subjectOf}). Returns
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
      if (!this.expired(subject, now)) continue;
      const linked = subject.state.linkedTo;
      const target = linked === null ? undefined : this.subjects.get(linked);
      if (target !== undefined && !this.expired(target, now)) continue;
      this.subjects.delete(key);
      gone.push(key);
    }
    return gone;
  }

  private create(key: string): Subject {
    const subject = newSubject(key, emptySubjectState());
    this.subjects.set(key, subject);
    if (!this.before.has(key)) this.before.set(key, null);
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
    return found === undefined || found.state.linkedTo === null ? undefined : this.touch(found);
  }

  /** True if one of the hashes is in the subject's window of recent ids. */
  isDuplicate(subject: Subject, ...hashes: number[]): boolean {
    return this.policy.options.duplicateWindow > 0 && hashes.some((h) => inWindow(subject.state.seen, h));
  }

  /** Adds the hashes to the subject's window (the oldest fall out). */
  remember(subject: Subject, ...hashes: number[]): void {
    const window = this.policy.options.duplicateWindow;
    if (window === 0) return;
    for (const h of hashes) addToWindow(subject.state.seen, h, window);
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
      return { alias, purpose, linked: false, refusedBy, aliasSubject };
    }
    this.touch(aliasSubject);
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
    return { alias, purpose, linked: true, refusedBy: null, aliasSubject };
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

function newSubject(key: string, state: SubjectState): Subject {
  return { key, state, pseudonym: null };
}
