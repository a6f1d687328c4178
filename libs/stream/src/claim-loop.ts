import { Wakeup } from './wakeup';

/** Topic → partitions this member was given at its last group join. */
export type Assignment = ReadonlyMap<string, readonly number[]>;

/** What the loop learns from its consumer: group joins and crashes. */
export interface ConsumerEvents {
  /** The member joined (or rejoined, after a rebalance or a restart) the group. */
  joined(assignment: Assignment): void;
  /** The consumer crashed and left the group; `restart`: it rejoins by itself later (a join follows). */
  crashed(event: { readonly error: unknown; readonly restart: boolean }): void;
}

/** The consumer side of a claim loop: group membership and fetching (see `kafkaLoopConsumer`). */
export interface LoopConsumer {
  /** Connects, subscribes and starts fetching; `events` hears of every join and crash from now on. */
  start(events: ConsumerEvents): Promise<void>;
  /** Stops fetching and leaves the group. */
  stop(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Whether a claim still holds: false once the group rebalanced, a step failed, the consumer crashed
 * or the loop stops. A unit that waits inside a step (for a handover) checks it to give up early.
 */
export interface ClaimLease {
  readonly valid: boolean;
}

/** Something a claim yields that steps on its own: a decision task, or the identity router. */
export interface ClaimedUnit {
  /** For failure reports: the task's partition, or -1 for the router. */
  readonly id: number;
  /**
   * One step committed in one transaction; false if there was nothing to do. Throws when the
   * outcome is unknown (the transaction aborted, or may not have): the loop then claims afresh.
   */
  step(): Promise<boolean>;
}

/** What a claim loop claims, steps and gives up: the decision tasks or the identity router. */
export interface ClaimWork {
  /**
   * Takes over the assignment: fence the previous owner (initialise the transactional ids), read the
   * committed offsets, restore state from the compacted topic, seek. Throws if any of it failed;
   * then nothing may be stepped, and the loop releases and retries.
   */
  claim(assignment: Assignment, lease: ClaimLease): Promise<readonly ClaimedUnit[]>;
  /** Gives up what the last claim (or a failed one) holds: producers, queues, paused fetching. Never throws. */
  release(): Promise<void>;
}

/** Exponential backoff between failed claims. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** What the loop reports (error names only, never messages: messages may quote input). */
export interface ClaimLoopObserver {
  claimFailed?(event: { readonly error: string; readonly attempt: number; readonly retryInMs: number }): void;
  stepFailed?(event: { readonly unit: number; readonly error: string }): void;
  consumerCrashed?(event: { readonly error: string; readonly restart: boolean }): void;
}

/** How a {@link ClaimLoop} retries and whom it tells. */
export interface ClaimLoopOptions {
  readonly claimBackoff?: Backoff;
  readonly observer?: ClaimLoopObserver;
}

/** The first retry comes as soon as it did before (500 ms); a broker that stays away is asked less often. */
export const DEFAULT_CLAIM_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000 };
/** Longest idle wait; input arrival, joins, crashes and stop end it earlier. */
const IDLE_MS = 20;
/** After a claim ended: lets a rebalance in progress settle before the next claim. */
const SETTLE_MS = 200;

/** Delay before retry `attempt` (1-based): exponential, capped, ±20 % jitter so instances spread out. */
export function claimRetryDelayMs(backoff: Backoff, attempt: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Error name and kafkajs type, never the message (messages may quote input). */
export function errorName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const type = (e as Error & { type?: unknown }).type;
  return typeof type === 'string' ? `${e.name}:${type}` : e.name;
}

/**
 * The one loop of the stream runtime, shared by the decision tasks and the identity router: join →
 * claim → step every claimed unit → on a rebalance, a failed step or a crash, give the claim up and
 * claim afresh. Why one loop: exactly once rests on never stepping what was not claimed cleanly,
 * and two copies of this skeleton had drifted apart (a failed claim left one of them stepping
 * nothing while it reported ready).
 *
 * Invariants: units step only under a claim made for the latest join of a consumer that is up; a
 * failed claim is retried with backoff and never counts as claimed; readiness ({@link isCaughtUp})
 * is exactly "the latest join is claimed". A crash makes the loop release its claim and wait: if
 * kafkajs restarts the consumer, its join brings a fresh claim; if not, the loop stays not ready.
 */
export class ClaimLoop {
  private assignment: Assignment = new Map();
  /** Joins seen so far: a claim is made for one join and holds until the next. */
  private joins = 0;
  /** The join the claim in force was made for; -1 when none holds. */
  private claimed = -1;
  private holding = false;
  private units: readonly ClaimedUnit[] = [];
  private consumerUp = false;
  private running = false;
  private failedClaims = 0;
  private loopDone: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  /** Ends the loop's idle, settle and backoff waits on a join, a crash or stop. */
  private readonly events = new Wakeup();
  private readonly backoff: Backoff;

  constructor(
    private readonly consumer: LoopConsumer,
    private readonly work: ClaimWork,
    /** Notified by the work whenever input is queued: ends a unit's idle wait. */
    private readonly arrival: Wakeup,
    private readonly options: ClaimLoopOptions = {},
  ) {
    this.backoff = options.claimBackoff ?? DEFAULT_CLAIM_BACKOFF;
  }

  /** True once the latest group join was claimed (state restored) and the consumer is up. */
  isCaughtUp(): boolean {
    return this.running && this.consumerUp && this.claimed !== -1 && this.claimed === this.joins;
  }

  /** Starts the consumer, then the loop in the background (errors end in reports, never here). */
  async start(): Promise<void> {
    this.running = true;
    try {
      await this.consumer.start({ joined: (a) => this.joined(a), crashed: (e) => this.crashed(e) });
    } catch (error) {
      this.running = false;
      await this.consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.loopDone = this.loop();
  }

  /** Graceful stop: steps in progress commit (or abort), then the claim is released and the group left. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.events.notify();
      this.arrival.notify();
      await this.loopDone;
      // Stopping anyway: a consumer that cannot leave cleanly is dropped by the group's session timeout.
      await this.consumer.stop().catch(() => undefined);
      await this.release();
      await this.consumer.disconnect().catch(() => undefined);
    })();
    return this.stopping;
  }

  private joined(assignment: Assignment): void {
    this.assignment = assignment;
    this.joins++;
    this.consumerUp = true;
    this.events.notify();
  }

  private crashed(event: { readonly error: unknown; readonly restart: boolean }): void {
    this.consumerUp = false;
    this.claimed = -1;
    this.options.observer?.consumerCrashed?.({ error: errorName(event.error), restart: event.restart });
    this.events.notify();
    this.arrival.notify();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.consumerUp) {
        // Not in the group (not joined yet, or crashed): what was claimed may be someone else's now.
        if (this.holding) await this.release();
        await this.events.wait(IDLE_MS);
        continue;
      }
      if (this.claimed !== this.joins && !(await this.claim())) continue;
      const lease = this.leaseFor(this.claimed);
      if (this.units.length === 0) {
        await this.events.wait(IDLE_MS);
        continue;
      }
      // Units share nothing (own processor, producer, inputs): each runs its own loop, so a task
      // waiting for a handover resumes when it arrives, not when every other task's step is done.
      await Promise.all(this.units.map((unit) => this.run(unit, lease)));
      if (this.running) await this.events.wait(SETTLE_MS);
    }
  }

  /** True if the latest join is claimed; false after a failed attempt (and its backoff wait). */
  private async claim(): Promise<boolean> {
    const join = this.joins;
    await this.release();
    try {
      this.units = await this.work.claim(this.assignment, this.leaseFor(join));
      this.holding = true;
    } catch (error) {
      await this.release();
      this.failedClaims++;
      const retryInMs = claimRetryDelayMs(this.backoff, this.failedClaims);
      this.options.observer?.claimFailed?.({
        error: errorName(error),
        attempt: this.failedClaims,
        retryInMs,
      });
      await this.events.wait(retryInMs);
      return false;
    }
    this.failedClaims = 0;
    this.claimed = join;
    return true;
  }

  /** Steps one unit until its step fails or the claim ends. */
  private async run(unit: ClaimedUnit, lease: ClaimLease): Promise<void> {
    while (lease.valid) {
      let progressed: boolean;
      try {
        progressed = await unit.step();
      } catch (error) {
        this.options.observer?.stepFailed?.({ unit: unit.id, error: errorName(error) });
        // Unknown outcome: only a fresh claim (fence, committed offsets, restored state) is safe.
        this.claimed = -1;
        return;
      }
      if (!progressed) await this.arrival.wait(IDLE_MS);
    }
  }

  private leaseFor(join: number): ClaimLease {
    const holds = (): boolean =>
      this.running && this.consumerUp && this.joins === join && this.claimed === join;
    return {
      get valid(): boolean {
        return holds();
      },
    };
  }

  private async release(): Promise<void> {
    this.claimed = -1;
    this.units = [];
    this.holding = false;
    await this.work.release();
  }
}
