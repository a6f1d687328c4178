import { type HandoverStates } from './routed-record';

/**
 * The handover partition of one decision task. Several tasks write to it at their own pace, so
 * states arrive in any order; they are kept by marker id until the task reaches the import marker.
 * Its consumed offset for the step transaction is the offset of the oldest state still waiting:
 * a restart re-reads from there and loses nothing (states read twice are dropped as stale below).
 */
export class HandoverInbox {
  private readonly waiting = new Map<number, { offset: bigint; handover: HandoverStates }>();
  /** Highest id imported so far: its copy (and older ones) read later are stale. */
  private lastTaken = -1;

  /** `next`: the offset after the last record read. */
  constructor(public next: bigint) {}

  add(offset: bigint, handover: HandoverStates): void {
    if (offset + 1n > this.next) this.next = offset + 1n;
    if (handover.id > this.lastTaken) this.waiting.set(handover.id, { offset, handover });
  }

  /**
   * The states for marker `id`, or null if they have not arrived yet. A task reaches import markers
   * in id order, so anything older still waiting was imported before a restart: dropped.
   */
  take(id: number): HandoverStates | null {
    const hit = this.waiting.get(id);
    if (hit === undefined) return null;
    this.taken(id);
    return hit.handover;
  }

  /**
   * Records that marker `id` was imported from elsewhere (the exporting task runs on this instance
   * and passed the states in memory): its copy on the topic, and anything older, is dropped.
   */
  taken(id: number): void {
    if (id > this.lastTaken) this.lastTaken = id;
    for (const k of [...this.waiting.keys()]) if (k <= id) this.waiting.delete(k);
  }

  /** Offset to commit: nothing below it is still needed. */
  committable(): bigint {
    let low = this.next;
    for (const w of this.waiting.values()) if (w.offset < low) low = w.offset;
    return low;
  }

  get size(): number {
    return this.waiting.size;
  }
}
