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
import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import { purposeStatus } from '../consent/purpose-status';
import { canonicalSubjectKey } from '../consent/subject-key';
import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';
import { keepStop, mergeIdentifierState } from './identifier-merge';

/** An identity link asked for by a source event (R25): joined, or refused (why in `reason`). */
export interface IdentityLink {
  /** The identifier named in the event (e.g. a cookie id, an e-mail address). */
  readonly alias: string;
  readonly linked: boolean;
  /** Why joined or refused, for the lineage record (names no value; a refusal cites `refusedBy`). */
  readonly reason: string;
  /** When refused: the reason code and rule that refused the link (R27); null when linked. */
  readonly refusedBy: LinkRefusal | null;
  /** The identifier's own entry, if any; when linked, its state changed (it points to the subject). */
  readonly aliasSubject: Subject | undefined;
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
   * The state every subject had before the current event touched it (null: the event created it).
   * Why: a defect that throws halfway through an event must leave no trace in memory, or the engine
   * (whose changelog never sees the half update) and a replay would decide differently afterwards.
   */
  private readonly before = new Map<string, SubjectState | null>();
  /** Keys whose stored state was not a valid state: they have no entry, nothing is decided for them. */
  private readonly quarantined = new Set<string>();

  /** True when some event type links a declared identifier: only then are withdrawals kept apart. */
  private readonly linksIdentifiers: boolean;

  constructor(private readonly policy: CompiledPolicy) {
    this.linksIdentifiers = [...policy.eventTypes.values()].some((t) => t.personIdentifiers.length > 0);
  }

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
   * The subject a key stands for after identity links, created with an empty state (no consent:
   * fail closed) on first sight. An alias points to the subject it was joined to; that subject may
   * itself have been linked since (a cookie joined to an e-mail address that a CRM event linked to
   * the customer later), so links are followed, at most {@link MAX_LINK_HOPS} of them.
   */
  subjectOf(key: string): Subject {
    let target = this.subjects.get(key);
    let at = key;
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      const linked = target?.state.linkedTo ?? null;
      if (linked === null) break;
      at = linked;
      target = this.subjects.get(linked);
    }
    return target === undefined ? this.create(at) : this.touch(target);
  }

  private create(key: string): Subject {
    const subject = newSubject(key, emptySubjectState());
    this.subjects.set(key, subject);
    if (!this.before.has(key)) this.before.set(key, null);
    return subject;
  }

  /**
   * The state kept under `key` itself, not following an identity link: a device's own banner
   * choices (G1) even after it was linked to a person. Undefined when the key has no entry.
   */
  ownState(key: string): SubjectState | undefined {
    return this.subjects.get(key)?.state;
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
    const aliasSubject = this.subjects.get(alias);
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
      const reason = `no valid consent for ${purpose} on the identifier (${refusedBy.reason} / ${refusedBy.rule}); the identities stay separate`;
      return { alias, linked: false, reason, refusedBy, aliasSubject };
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
    return { alias, linked: true, reason: `linked under ${purpose} consent`, refusedBy: null, aliasSubject };
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
   * reach this person. Null when the event names no identifier or one already linked to the subject.
   */
  linkIdentifier(event: CloudEvent, spec: EventTypeSpec, subject: Subject): IdentityLink | null {
    const alias = this.identifierOf(event, spec);
    if (alias === null || alias === subject.key) return null;
    const aliasSubject = this.subjects.get(alias);
    const owner = aliasSubject?.state.linkedTo ?? null;
    if (owner === subject.key) return null;
    if (aliasSubject === undefined) {
      const created = this.create(alias);
      created.state.linkedTo = subject.key;
      return { alias, linked: true, reason: IDENTIFIER_LINKED, refusedBy: null, aliasSubject: created };
    }
    if (owner !== null) {
      mergeIdentifierState(this.policy, subject.state, aliasSubject.state, true);
      return { alias, linked: false, reason: IDENTIFIER_TAKEN, refusedBy: IDENTIFIER_TAKEN_BY, aliasSubject };
    }
    this.touch(aliasSubject);
    mergeIdentifierState(this.policy, subject.state, aliasSubject.state);
    aliasSubject.state.linkedTo = subject.key;
    return { alias, linked: true, reason: IDENTIFIER_LINKED, refusedBy: null, aliasSubject };
  }

  /**
   * Keeps a withdrawal received under a subject for a later identifier link, when the policy
   * declares identifiers to link (see {@link keepStop}).
   */
  keepStop(subject: Subject, assessment: EvidenceAssessment, at: number): void {
    if (this.linksIdentifiers) keepStop(subject.state, assessment, at);
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

const IDENTIFIER_LINKED =
  'a declared identifier the source knows the person by; what came under it before the link now counts for the person';
/** One identifier names one person (R25): a second person's claim on it is refused. */
const IDENTIFIER_TAKEN_BY: LinkRefusal = { reason: 'identifier-taken', rule: 'R25' };
const IDENTIFIER_TAKEN =
  'the identifier already belongs to another person (identifier-taken / R25); the identities stay separate (its earlier withdrawals and objection still apply)';

function newSubject(key: string, state: SubjectState): Subject {
  return { key, state, pseudonym: null };
}
