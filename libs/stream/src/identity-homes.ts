import { canonicalSubjectKey, eventTypeKey, type CompiledPolicy } from '@app/policy';

/** Keys whose consent state must move from the task of `from` to the task of `to` before an event. */
export interface Handover {
  readonly keys: readonly string[];
  readonly from: string;
  readonly to: string;
}

/** Where one input event must be decided: the task of `homeKey` (null: no subject, any task). */
export interface Route {
  readonly homeKey: string | null;
  /** State to move first (an identity link joining two keys that live in different tasks). */
  readonly handover: Handover | null;
}

/**
 * The resolution table of the identity router (docs/architecture.md, "Identity links across
 * partitions"). Every key has a home key whose task holds its consent state; a key is its own home
 * until an identity link names it as the alias of another subject. A link moves the alias's home
 * group (the alias and every key sharing its home) to the subject's home, so that the processor
 * there sees every state the link and later events may resolve to, exactly as the single dry-run
 * processor does.
 *
 * Routing does not depend on whether the link is granted (R25): an alias whose link is refused
 * keeps its own, unlinked state, only in another task, and the processor still resolves it to
 * itself. That keeps the table a function of the ordered input alone (deterministic, no feedback
 * from the decision stage). Pure and synchronous.
 *
 * Indexed for production volumes: every key maps straight to its home (no chains to follow), and
 * each home knows the keys homed at it, so a link costs the size of the group it moves (the keys
 * that are handed over anyway), not a scan of the table. A changelog written before the index may
 * hold chains (an alias pointing at a key that moved on later); they are flattened on restore.
 */
export class IdentityHomes {
  /** Key → its home, for every key not homed at itself. */
  private readonly homes = new Map<string, string>();
  /** Home → the other keys homed at it, in the order they joined. Built lazily after a restore. */
  private readonly groups = new Map<string, string[]>();
  private indexed = true;
  private readonly aliasPaths = new Map<string, string>();

  constructor(policy: CompiledPolicy) {
    for (const [key, spec] of policy.eventTypes) {
      // The policy loader allows one linked identifier per event type (identityLink or declared).
      const path = spec.identityLink?.aliasPath ?? spec.personIdentifiers[0];
      if (path !== undefined) this.aliasPaths.set(key, path);
    }
  }

  /** The key whose task holds `key`'s state. */
  homeOf(key: string): string {
    this.index();
    return this.homes.get(key) ?? key;
  }

  /** Restores one entry (from the table's compacted changelog). */
  restore(alias: string, home: string | null): void {
    if (home === null) this.homes.delete(alias);
    else this.homes.set(alias, home);
    this.indexed = false;
  }

  /** The table's entries (key → home), for its changelog. */
  entries(): IterableIterator<[string, string]> {
    this.index();
    return this.homes.entries();
  }

  /** The table's size: keys homed elsewhere than at themselves, and the homes they join (groups). */
  size(): { readonly keys: number; readonly groups: number } {
    this.index();
    return { keys: this.homes.size, groups: this.groups.size };
  }

  /** The keys homed at `home` besides itself (empty when `home` joins no group). */
  membersOf(home: string): readonly string[] {
    this.index();
    return this.homes.has(home) ? [] : (this.groups.get(home) ?? []);
  }

  /**
   * Forgets the home group of `home` (every key homed at it becomes its own home again) and returns
   * the keys whose entries are gone, for tombstones in the changelog. Only safe once no task holds
   * a state of the group (see HomeReleases).
   */
  dropGroup(home: string): string[] {
    const members = [...this.membersOf(home)];
    for (const key of members) this.homes.delete(key);
    this.groups.delete(home);
    return members;
  }

  private index(): void {
    if (this.indexed) return;
    this.groups.clear();
    for (const [key, first] of this.homes) {
      let home = first;
      for (let next = this.homes.get(home), steps = 0; next !== undefined; next = this.homes.get(home)) {
        // Routing never writes a cycle; a damaged changelog must not hang the restore.
        // (The message names no key: keys are personal identifiers.)
        if (++steps > this.homes.size) throw new Error('identity homes changelog: its entries form a cycle');
        home = next;
      }
      if (home !== first) this.homes.set(key, home);
      const group = this.groups.get(home);
      if (group === undefined) this.groups.set(home, [key]);
      else group.push(key);
    }
    this.indexed = true;
  }

  /**
   * Routes one input (raw JSON text or parsed object) and applies its effect on the table. Call once
   * per input, in produced order; anything unparseable routes by nothing (it is a dead letter).
   */
  route(input: string | object): Route {
    let e: unknown = input;
    if (typeof input === 'string') {
      try {
        e = JSON.parse(input) as unknown;
      } catch {
        return { homeKey: null, handover: null };
      }
    }
    if (typeof e !== 'object' || e === null) return { homeKey: null, handover: null };
    const { subject, source, type, data } = e as Record<string, unknown>;
    const evidenceKey = (data as { subject?: { key?: unknown } } | null | undefined)?.subject?.key;
    // Canonical keys, as the processor resolves them: `Ann@Example.dk` and `ann@example.dk` are one
    // subject there, so they must share a home here.
    const key =
      typeof subject === 'string' && subject !== ''
        ? canonicalSubjectKey(subject)
        : typeof evidenceKey === 'string'
          ? canonicalSubjectKey(evidenceKey)
          : null;
    if (key === null) return { homeKey: null, handover: null };
    const home = this.homeOf(key);
    const path =
      typeof source === 'string' && typeof type === 'string'
        ? this.aliasPaths.get(eventTypeKey(source, type))
        : undefined;
    const raw =
      path !== undefined && typeof data === 'object' && data !== null
        ? (data as Record<string, unknown>)[path]
        : undefined;
    const alias = typeof raw !== 'string' || raw.trim() === '' ? null : canonicalSubjectKey(raw);
    if (alias === null || alias === key) return { homeKey: home, handover: null };
    const from = this.homeOf(alias);
    if (from === home) return { homeKey: home, handover: null };
    // The alias's whole home group moves, not the alias alone: a key linked earlier may keep
    // resolving to a key of that group (a relink refused under R25 leaves `linkedTo` as it was), so
    // keys joined by any link must share a task. Groups only ever merge.
    const moved = this.groups.get(from);
    const keys = moved === undefined ? [from] : [from, ...moved];
    this.groups.delete(from);
    for (const k of keys) this.homes.set(k, home);
    const group = this.groups.get(home);
    if (group === undefined) this.groups.set(home, [...keys]);
    else for (const k of keys) group.push(k); // not push(...keys): groups can outgrow the argument limit
    return { homeKey: home, handover: { keys, from, to: home } };
  }
}
