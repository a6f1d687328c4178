import type { CloudEvent } from '@app/contracts/cloud-event.types';
import {
  emptySubjectState,
  isSubjectState,
  restoredState,
  type SubjectState,
  type SubjectStateV1,
} from '../consent/consent-state.types';
import { addToWindow, inWindow } from '../consent/duplicate-window';
import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';

/** An identity link asked for by a source event (R25): joined, or refused for want of consent. */
export interface IdentityLink {
  /** The identifier named in the event (e.g. a cookie id). */
  readonly alias: string;
  /** The purpose whose consent on the identifier the link needs. */
  readonly purpose: string;
  readonly linked: boolean;
  /** The alias's state, now pointing to the subject: a changed state (set when linked). */
  readonly aliasState: SubjectState | null;
}

/**
 * Stage 2: who an event is about. Keeps every subject's consent state, resolves identity links,
 * detects duplicates in each subject's window of recent ids, and joins identities (R25).
 */
export class SubjectStore {
  private readonly states = new Map<string, SubjectState>();

  constructor(private readonly policy: CompiledPolicy) {}

  /** The key after identity links (one level: an alias points to the subject it was joined to). */
  resolve(key: string): string {
    return this.states.get(key)?.linkedTo ?? key;
  }

  /** The state of a resolved key, created empty (no consent: fail closed) on first sight. */
  stateOf(subjectKey: string): SubjectState {
    let state = this.states.get(subjectKey);
    if (state === undefined) {
      state = emptySubjectState();
      this.states.set(subjectKey, state);
    }
    return state;
  }

  /** True if one of the hashes is in the subject's window of recent ids. */
  isDuplicate(state: SubjectState, ...hashes: number[]): boolean {
    return this.policy.options.duplicateWindow > 0 && hashes.some((h) => inWindow(state.seen, h));
  }

  /** Adds the hashes to the subject's window (the oldest fall out). */
  remember(state: SubjectState, ...hashes: number[]): void {
    const window = this.policy.options.duplicateWindow;
    if (window === 0) return;
    for (const h of hashes) addToWindow(state.seen, h, window);
  }

  /**
   * R25: a source event that names another identifier (e.g. the cookie id on a login) joins it to
   * the subject only when the identifier carries a valid consent for the required purpose at `t`.
   * Then the identifier's grants and withdrawals follow the person (the subject's own win) and the
   * identifier resolves to the subject from now on. Null when the event names no other identifier.
   */
  link(
    event: CloudEvent,
    spec: EventTypeSpec,
    subjectKey: string,
    state: SubjectState,
    t: number,
  ): IdentityLink | null {
    const link = spec.identityLink;
    if (link === undefined) return null;
    const alias = (event.data as Record<string, unknown>)[link.aliasPath];
    if (typeof alias !== 'string' || alias === subjectKey) return null;
    const purpose = link.requiresPurpose.key;
    const aliasState = this.states.get(alias);
    const grant = aliasState?.purposes[purpose];
    const max = this.policy.options.cookieConsentMaxAgeMs;
    const valid = grant !== undefined && grant.since <= t && (max === null || t - grant.renewedAt <= max);
    if (!valid || aliasState === undefined) return { alias, purpose, linked: false, aliasState: null };
    for (const [p, g] of Object.entries(aliasState.purposes))
      if (state.purposes[p] === undefined) state.purposes[p] = g;
    for (const [p, w] of Object.entries(aliasState.withdrawn))
      if (state.withdrawn[p] === undefined) state.withdrawn[p] = w;
    aliasState.linkedTo = subjectKey;
    return { alias, purpose, linked: true, aliasState };
  }

  /** The JSON-serialisable state of one subject key (for the changelog), or null if unknown. */
  exportState(subjectKey: string): SubjectState | null {
    const state = this.states.get(subjectKey);
    return state === undefined ? null : (JSON.parse(JSON.stringify(state)) as SubjectState);
  }

  /** Restores one subject's state from the changelog; a null state (tombstone) forgets the subject. */
  importState(subjectKey: string, state: unknown): void {
    if (state === null) {
      this.states.delete(subjectKey);
      return;
    }
    if (!isSubjectState(state)) throw new TypeError(`importState: not a consent state for one subject`);
    this.states.set(
      subjectKey,
      restoredState(JSON.parse(JSON.stringify(state)) as SubjectState | SubjectStateV1),
    );
  }

  /** Subject keys with state, for snapshots and tests. */
  keys(): IterableIterator<string> {
    return this.states.keys();
  }
}
