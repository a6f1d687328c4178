import { createHmac } from 'node:crypto';

/**
 * Deterministic decision id: the same policy, event, destination and kind always give the same
 * id, so dry-run and stream output are byte-identical and replays are idempotent.
 *
 * Scheme: `<k>:<destination>:<policy content hash>:<event id>`, `<k>` being `d` for a decision and
 * `s` for a suppression. Destination names cannot contain `:` and the content hash has a fixed
 * length, so different inputs never give the same id; an auditor reads the event and destination
 * straight from it. (It was a sha256 of version and event id until bench:policy showed that hash
 * at about a tenth of the decision core's time; the event id is already in every lineage record
 * and record header, so the id reveals nothing new. Event ids are at most 256 characters, see
 * the CloudEvent decoder.)
 */
export function decisionId(
  policyContentHash: string,
  eventId: string,
  destination: string,
  kind: 'decision' | 'suppression' = 'decision',
): string {
  return `${kind === 'decision' ? 'd' : 's'}:${destination}:${policyContentHash}:${eventId}`;
}

/** Keyed pseudonyms (HMAC-SHA256): stable per key, not reversible without it. Caches subject keys. */
export class Pseudonymiser {
  private readonly cache = new Map<string, string>();

  constructor(private readonly key: string | Uint8Array) {}

  /** Pseudonym of a string, cached (attribute values and identifiers repeat across events). */
  of(value: string): string {
    let p = this.cache.get(value);
    if (p === undefined) {
      p = this.compute(value);
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(value, p);
    }
    return p;
  }

  /** Pseudonym of a string without the cache, for callers that keep it themselves. Same value as {@link of}. */
  compute(value: string): string {
    return `ps_${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 32)}`;
  }

  /** Pseudonym of any JSON value (arrays and objects by their JSON text). */
  ofValue(value: unknown): string {
    return this.of(typeof value === 'string' ? value : JSON.stringify(value));
  }
}
