import { createHmac, hash } from 'node:crypto';

/**
 * Deterministic decision id: the same policy version, event and destination always give the same
 * id, so dry-run and stream output are byte-identical and replays are idempotent.
 */
export function decisionId(
  policyVersion: string,
  eventId: string,
  destination: string,
  kind = 'decision',
): string {
  return hash('sha256', `${policyVersion}\u0000${eventId}\u0000${destination}\u0000${kind}`, 'hex').slice(
    0,
    32,
  );
}

/** Keyed pseudonyms (HMAC-SHA256): stable per key, not reversible without it. Caches subject keys. */
export class Pseudonymiser {
  private readonly cache = new Map<string, string>();

  constructor(private readonly key: string | Uint8Array) {}

  /** Pseudonym of a string (subject keys are cached: they repeat on every event). */
  of(value: string): string {
    let p = this.cache.get(value);
    if (p === undefined) {
      p = `ps_${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 32)}`;
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(value, p);
    }
    return p;
  }

  /** Pseudonym of any JSON value (arrays and objects by their JSON text). */
  ofValue(value: unknown): string {
    return this.of(typeof value === 'string' ? value : JSON.stringify(value));
  }
}
