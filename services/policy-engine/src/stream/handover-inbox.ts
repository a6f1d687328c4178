import { type HandoverStates } from './routed-record';

/**
 * The handover partition of one decision task. Several tasks write to it at their own pace, so
 * states arrive in any order; they are kept by marker id until the task reaches the import marker.
 * Its consumed offset for the step transaction is the offset of the oldest state still waiting:
 * a restart re-reads from there and loses nothing (states read twice are dropped as stale below).
 */
export class HandoverInbox {
  private readonly waiting = new Map<number, { offset: bigint; handover: HandoverStates }>();

  /** `next`: the offset after the last record read. */
  constructor(public next: bigint) {}

  add(offset: bigint, handover: HandoverStates): void {
    this.waiting.set(handover.id, { offset, handover });
    if (offset + 1n > this.next) this.next = offset + 1n;
  }

  /**
   * The states for marker `id`, or null if they have not arrived yet. A task reaches import markers
   * in id order, so anything older still waiting was imported before a restart: dropped.
   */
  take(id: number): HandoverStates | null {
    const hit = this.waiting.get(id);
    if (hit === undefined) return null;
    for (const k of [...this.waiting.keys()]) if (k <= id) this.waiting.delete(k);
    return hit.handover;
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
