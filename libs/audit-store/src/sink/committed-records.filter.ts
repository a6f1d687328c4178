/** A record as kafkajs decodes it before its own aborted-transaction filter (not in its types). */
export interface RawRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

/**
 * read_committed for one topic-partition, done here rather than by kafkajs. Why: kafkajs's filter
 * (filterAbortedMessages) registers one aborted transaction per record it passes, so after several
 * producers' transactions were aborted (an engine killed with several tasks mid-step) it can pass
 * aborted records as committed and, worse, keep treating a producer as aborted past its abort
 * marker and drop its committed records. So the sink reads uncommitted and keeps a transactional
 * record only once its producer's commit marker is read; an abort marker drops what was held.
 *
 * Records must be fed in offset order; offsets already fed are ignored (a re-read after a seek).
 * {@link safeOffset} is where reading must resume after a restart so that nothing held is lost.
 */
export class CommittedRecordsFilter {
  private next: bigint;
  private lastData: bigint | null = null;
  /** Per producer id: the records of its open transaction, in offset order. */
  private readonly held = new Map<string, RawRecord[]>();

  constructor(start: bigint) {
    this.next = start;
  }

  /** Feeds records in offset order; returns those now known to be committed, in offset order. */
  accept(records: readonly RawRecord[]): RawRecord[] {
    const released: RawRecord[] = [];
    for (const r of records) {
      const offset = BigInt(r.offset);
      if (offset < this.next) continue;
      this.next = offset + 1n;
      const producer = r.batchContext.producerId;
      if (r.isControlRecord === true) {
        // Control record key: version (int16), type (int16): 0 abort, 1 commit.
        const committed = r.key !== null && r.key.length >= 4 && r.key.readInt16BE(2) === 1;
        if (committed) released.push(...(this.held.get(producer) ?? []));
        this.held.delete(producer);
        continue;
      }
      this.lastData = offset;
      if (!r.batchContext.inTransaction) released.push(r);
      else {
        const list = this.held.get(producer);
        if (list) list.push(r);
        else this.held.set(producer, [r]);
      }
    }
    return released.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  }

  /** Whether records wait for their transaction's marker. */
  holding(): boolean {
    return this.held.size > 0;
  }

  /** The first offset not yet read. */
  position(): bigint {
    return this.next;
  }

  /** The last data record's offset read, if any: re-reading from it brings the markers after it. */
  lastDataOffset(): bigint | null {
    return this.lastData;
  }

  /** Everything before this offset is decided (stored, or aborted, or a marker). */
  safeOffset(): bigint {
    let safe = this.next;
    for (const list of this.held.values()) {
      const first = list[0];
      if (first !== undefined && BigInt(first.offset) < safe) safe = BigInt(first.offset);
    }
    return safe;
  }
}
