import { type KeyObject, createHmac, createSecretKey, hash } from 'node:crypto';

let lastVersion = '';
let lastEventId = '';
let lastDigest = '';

/**
 * Deterministic decision id: the same policy version, event and destination always give the same
 * id, so dry-run and stream output are byte-identical and replays are idempotent.
 *
 * Scheme: `<d>-<k>-<destination>`, where `<d>` is the first 32 hex digits of
 * sha256(policyVersion NUL eventId) and `<k>` is `d` for decisions, `s` for suppressions (any
 * other kind is written out in full). One sha256 per event serves all its destinations (the
 * digest of the last event is kept), so the id is unique per destination and kind by construction.
 */
export function decisionId(
  policyVersion: string,
  eventId: string,
  destination: string,
  kind = 'decision',
): string {
  if (eventId !== lastEventId || policyVersion !== lastVersion || lastDigest === '') {
    lastDigest = hash('sha256', `${policyVersion}\u0000${eventId}`, 'hex').slice(0, 32);
    lastVersion = policyVersion;
    lastEventId = eventId;
  }
  const k = kind === 'decision' ? 'd' : kind === 'suppression' ? 's' : kind;
  return `${lastDigest}-${k}-${destination}`;
}

/** Keyed pseudonyms (HMAC-SHA256): stable per key, not reversible without it. Caches subject keys. */
export class Pseudonymiser {
  private readonly cache = new Map<string, string>();
  /** The key imported once (createHmac with a raw key imports it again on every call). */
  private readonly secret: KeyObject | string | Uint8Array;

  constructor(key: string | Uint8Array) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    // An empty key stays raw (a KeyObject needs at least one byte); the HMAC is the same.
    this.secret = bytes.length > 0 ? createSecretKey(bytes) : key;
  }

  /** Pseudonym of a string (subject keys are cached: they repeat on every event). */
  of(value: string): string {
    let p = this.cache.get(value);
    if (p === undefined) {
      p = this.compute(value);
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(value, p);
    }
    return p;
  }

  /**
   * Pseudonym of a string without the shared cache, for callers that keep the result themselves
   * (the processor keeps one per subject entry). Same value as {@link of}.
   */
  compute(value: string): string {
    return `ps_${createHmac('sha256', this.secret).update(value).digest('hex').slice(0, 32)}`;
  }

  /** Pseudonym of any JSON value (arrays and objects by their JSON text). */
  ofValue(value: unknown): string {
    return this.of(typeof value === 'string' ? value : JSON.stringify(value));
  }
}
