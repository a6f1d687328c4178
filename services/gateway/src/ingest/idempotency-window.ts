/** What a repeated event id finds. */
export type Seen =
  | { readonly kind: 'new' }
  /** Accepted before (the broker acknowledged it): not produced again. */
  | { readonly kind: 'accepted' }
  /** Being produced by another request now: wait for that. */
  | { readonly kind: 'pending'; readonly done: Promise<boolean> }
  /** The same id with other content: a producer bug or a reused id. */
  | { readonly kind: 'conflict' };

interface Entry {
  readonly digest: string;
  readonly at: number;
  state: 'pending' | 'accepted';
  done: Promise<boolean>;
  settle: (accepted: boolean) => void;
}

/**
 * Event ids accepted in the last `windowMs` (at most `maxIds`, oldest dropped first), per source.
 * In memory, per gateway instance: after the window, a restart, or on another instance a repeat is
 * produced again, and the engine's per-subject duplicate window drops it (see docs/architecture.md).
 */
export class IdempotencyWindow {
  /** Insertion order is acceptance order, so the oldest are first. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Claims `id` for producing: `new` means the caller must produce it and then call `settle`.
   * The digest is of the event's bytes, so a reused id with other content is told apart.
   */
  claim(key: string, digest: string): Seen {
    if (this.windowMs === 0 || this.maxIds === 0) return { kind: 'new' };
    this.prune();
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.digest !== digest) return { kind: 'conflict' };
      return entry.state === 'accepted' ? { kind: 'accepted' } : { kind: 'pending', done: entry.done };
    }
    let settle: (accepted: boolean) => void = () => undefined;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    this.entries.set(key, { digest, at: this.nowMs(), state: 'pending', done, settle });
    while (this.entries.size > this.maxIds) this.dropOldest();
    return { kind: 'new' };
  }

  /** After producing: accepted ids are remembered; failed ones forgotten, so a retry produces. */
  settle(key: string, accepted: boolean): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (accepted) entry.state = 'accepted';
    else this.entries.delete(key);
    entry.settle(accepted);
  }

  private prune(): void {
    const oldest = this.nowMs() - this.windowMs;
    for (const [key, entry] of this.entries) {
      if (entry.at > oldest) break;
      if (entry.state === 'pending') continue;
      this.entries.delete(key);
    }
  }

  private dropOldest(): void {
    const first = this.entries.keys().next();
    if (first.done !== true) {
      const entry = this.entries.get(first.value);
      this.entries.delete(first.value);
      // A pending claim pushed out still settles its waiters.
      entry?.settle(false);
    }
  }
}
