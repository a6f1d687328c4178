import { type IHeaders } from 'kafkajs';

/** One record to write inside a transaction (outputs, lineage, dead letters, changelog). */
export interface OutputRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  /** `null` is a tombstone (deletes the key in a compacted topic). */
  readonly value: Buffer | string | null;
  readonly headers?: IHeaders;
  /** Omitted: the default partitioner picks by key (murmur2, as the Java client does). */
  readonly partition?: number;
  /** Record timestamp (ms since the epoch, as text); omitted: the producer's clock. */
  readonly timestamp?: string;
}
