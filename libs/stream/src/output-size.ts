import { type OutputRecord, recordBytes } from '@app/kafka';

/**
 * Default largest record the engine writes, key and headers included: below the broker's default
 * `max.message.bytes` (1 MiB) with room for the record batch's own overhead.
 */
export const DEFAULT_MAX_RECORD_BYTES = 1_000_000;

/** A record over the limit: where it was going and how large it was (no content). */
export interface Oversized {
  readonly topic: string;
  readonly bytes: number;
}

/**
 * The first record over `maxBytes`, if any. Checked before sending because the broker refuses such a
 * record with an error the client retries forever: the step would never commit.
 */
export function firstOversized(records: Iterable<OutputRecord>, maxBytes: number): Oversized | undefined {
  for (const r of records) {
    const bytes = recordBytes(r);
    if (bytes > maxBytes) return { topic: r.topic, bytes };
  }
  return undefined;
}

/** The dead-letter reason for an input whose outputs do not fit (topic name and sizes only). */
export function oversizedReason(o: Oversized, maxBytes: number): string {
  return `an output record for ${o.topic} would be ${o.bytes} bytes, over the ${maxBytes}-byte limit`;
}
