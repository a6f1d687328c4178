import { type IdentityHomes } from './identity-homes';
import { type RouteTracker } from './identity-route.step';

/** The release log as restored: releases on record (key → position) and logged homes' positions. */
export interface ReleaseLog {
  readonly released: ReadonlyMap<string, number>;
  readonly lastRouted: ReadonlyMap<string, number>;
}

/** Changes to the release log (null: the entry is gone). */
export interface ReleaseLogChanges {
  readonly released: Map<string, number | null>;
  readonly lastRouted: Map<string, number | null>;
}

/**
 * When the identity router may forget a home group: the rule that lets its table shrink without ever
 * routing a key away from the task that holds its state.
 *
 * The router sees events, not states, so only the decision task can say a state is gone. The task
 * whose sweep forgets a subject reports it: "after the routed records up to position p, I hold no
 * state for key k" (a release). The router numbers what it routes (its route position, increasing)
 * and notes, per home that has a group, the position of the last record it routed there (events and
 * import markers alike). A group is forgotten only when every key of it, the home included, has
 * been released at or after that position. Then:
 *
 * - no key of the group has a state in the task: each was gone at its release, and nothing that
 *   could create one (an event of any group key, an import) was routed there since;
 * - no state elsewhere names a key of the group: identity links only join keys of one group (groups
 *   only merge), so every alias's target is in its own group;
 * - a later event of a former member is decided in its own key's task with no state, which is what
 *   `govern dry-run`'s single core does with a subject whose state has expired at that event's time
 *   (the task forgot it because it had expired by event time, and expiry only moves forward), so
 *   routing stays invisible in the outputs.
 *
 * A release that is stale (an event was routed to the home after it, or the key moved to another
 * home since), or that comes from another task than the one of the key's home now, counts for
 * nothing: the key's state may live again, and the task will report it anew when its sweep forgets
 * it. A key that never had a state in its task (an alias named by a link and never seen) is never
 * released, so its group is kept: the rule errs on keeping.
 *
 * Restart-safe through its release log ({@link ReleaseLogChanges}): the releases on record and, for
 * each home with one, its last routed position, written to the homes changelog in the router's step
 * transaction and restored with the table. A home without a logged position counts as last routed
 * at the restored route position (`floor`), an upper bound of the truth: releases made before the
 * restart count only where they were logged.
 *
 * Pure and synchronous: the caller feeds it routed positions and releases in the order it handles
 * them, and writes the returned keys as tombstones to the homes changelog.
 */
export class HomeReleases implements RouteTracker {
  /** Home → route position of the last record routed to it, for homes that have a group. */
  private readonly lastRouted = new Map<string, number>();
  /** Key → the latest position after which its task reported no state for it (group keys only). */
  private readonly releasedAt = new Map<string, number>();
  /** Homes whose last routed position is in the release log (their group has a release on record). */
  private readonly logged = new Set<string>();
  private changes: ReleaseLogChanges = { released: new Map(), lastRouted: new Map() };

  /**
   * @param floor the route position as of the table's restore: records routed before it are not
   *   known per home, so a release must be at or after it to count.
   * @param taskOf the task (partition) of a home: when given, a release counts only when it comes
   *   from the task of the key's home at the time it is handled. Why: positions are global, and a
   *   task's word is about its own states only (a key that moved away may have a state elsewhere).
   * @param log the release log as restored with the table (empty when starting afresh).
   */
  constructor(
    private readonly homes: IdentityHomes,
    private readonly floor = 0,
    private readonly taskOf?: (home: string) => number,
    log: ReleaseLog = { released: new Map(), lastRouted: new Map() },
  ) {
    for (const [key, position] of log.released) this.releasedAt.set(key, position);
    for (const [home, position] of log.lastRouted) {
      this.lastRouted.set(home, position);
      this.logged.add(home);
    }
  }

  /** A record (event or import marker) was routed to `home` at `position`; call after routing it. */
  routed(home: string, position: number): void {
    if (this.homes.membersOf(home).length === 0) return;
    this.lastRouted.set(home, position);
    if (this.logged.has(home)) this.changes.lastRouted.set(home, position);
  }

  /** A link moved the group of `from` to another home: what was noted for it no longer applies. */
  handedOver(from: string): void {
    this.lastRouted.delete(from);
    if (this.logged.delete(from)) this.changes.lastRouted.set(from, null);
  }

  /**
   * A task (`task`, its partition) reports that after the routed records up to `position` it holds
   * no state for `keys`. Returns the keys whose table entries are dropped (write a tombstone for each).
   */
  released(keys: readonly string[], position: number, task?: number): string[] {
    const touched = new Set<string>();
    for (const key of keys) {
      const home = this.homes.homeOf(key);
      if (this.homes.membersOf(home).length === 0) continue; // its own home: nothing to drop
      if (this.taskOf !== undefined && (task === undefined || this.taskOf(home) !== task)) continue;
      const at = Math.max(position, this.releasedAt.get(key) ?? -Infinity);
      this.releasedAt.set(key, at);
      this.changes.released.set(key, at);
      touched.add(home);
    }
    const dropped: string[] = [];
    for (const home of touched) {
      // Positions noted since the claim are above the floor; a logged one may be below it.
      const since = this.lastRouted.get(home) ?? this.floor;
      const group = [home, ...this.homes.membersOf(home)];
      if (!group.every((key) => (this.releasedAt.get(key) ?? -Infinity) >= since)) {
        if (!this.logged.has(home)) {
          // From now on every record routed here is logged, so a restart keeps this release's worth.
          this.logged.add(home);
          this.lastRouted.set(home, since);
          this.changes.lastRouted.set(home, since);
        }
        continue;
      }
      for (const key of group) if (this.releasedAt.delete(key)) this.changes.released.set(key, null);
      this.lastRouted.delete(home);
      if (this.logged.delete(home)) this.changes.lastRouted.set(home, null);
      dropped.push(...this.homes.dropGroup(home));
    }
    return dropped;
  }

  /** What to write to the release log since the last call (null: delete the entry). */
  takeChanges(): ReleaseLogChanges {
    const changes = this.changes;
    this.changes = { released: new Map(), lastRouted: new Map() };
    return changes;
  }

  /** Keys with a release on record (bounded by the table's size), for metrics and tests. */
  get pending(): number {
    return this.releasedAt.size;
  }
}
