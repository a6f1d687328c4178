import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalSubjectKey } from '../consent/subject-key';

/**
 * Keyed pseudonyms with a key id and one derived key per use.
 *
 * A pseudonym is `<keyId>:<mac>`: the id of the keyring entry it was made with, then 32 hex digits
 * (128 bits) of HMAC-SHA256 over the value. The HMAC key is not the configured secret itself but is
 * derived from it with HKDF-SHA256 (RFC 5869), once per use: one key for the lineage (the audit
 * trail) and one per destination. So the same person has unrelated pseudonyms in two tools and in
 * the lineage, and no tool can join its data with another's; yet one secret per key id is all an
 * operator manages, a new destination needs no new secret, and whoever holds the keyring (the
 * audit service) can recompute any of them from a clear identifier.
 */

/** Key ids: 1–16 lowercase letters, digits or `-`; they prefix every pseudonym, so no `:`. */
export const KEY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,15}$/;

/** Key id → secret, and the id new pseudonyms are made with. Retired ids stay for the audit trail. */
export interface PseudonymKeyring {
  readonly activeKeyId: string;
  readonly secrets: ReadonlyMap<string, string | Uint8Array>;
}

/**
 * The public demo keyring: its secret is in the sources, so its pseudonyms are reversible by
 * anyone who guesses identifiers. `govern dry-run` uses it when no keyring is set, and the engine
 * only in demo mode; every pseudonym made with it starts with `demo:`.
 */
export const DEMO_PSEUDONYM_KEYRING: PseudonymKeyring = {
  activeKeyId: 'demo',
  secrets: new Map([['demo', 'govern-dry-run']]),
};

/** The lineage's own derived key: what the audit trail names subjects by. */
export const LINEAGE_SCOPE = 'lineage';

/** The scope of one destination's derived key (destination names never hold `/`). */
export function destinationScope(destination: string): string {
  return `destination/${destination}`;
}

/** Fixed HKDF salt: separates these keys from anything else an operator derives from the secret. */
const HKDF_SALT = 'consent-governance/pseudonym/v1';

/** The HMAC key for one scope under one secret (HKDF-SHA256, 32 bytes). */
export function derivePseudonymKey(secret: string | Uint8Array, scope: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, scope, 32));
}

/** The secret of `keyId`; throws when the keyring lacks it (configuration, never input). */
function secretOf(keyring: PseudonymKeyring, keyId: string): string | Uint8Array {
  const secret = keyring.secrets.get(keyId);
  if (secret === undefined) throw new Error('pseudonym keyring: no secret for the requested key id');
  return secret;
}

/** `<keyId>:<mac>` of `value` under an already derived key. */
function pseudonymWith(keyId: string, key: Buffer, value: string): string {
  return `${keyId}:${createHmac('sha256', key).update(value).digest('hex').slice(0, 32)}`;
}

/**
 * A person's lineage pseudonym from a clear identifier, canonicalised as the core does at the
 * boundary (e-mail addresses trimmed and case-folded). The audit service's lookup: with the keyring
 * it finds a person's lineage under every key id the lineage holds. Pure.
 */
export function lineagePseudonym(
  keyring: PseudonymKeyring,
  subjectKey: string,
  keyId: string = keyring.activeKeyId,
): string {
  const key = derivePseudonymKey(secretOf(keyring, keyId), LINEAGE_SCOPE);
  return pseudonymWith(keyId, key, canonicalSubjectKey(subjectKey));
}

/** What a destination receives for `value` (a subject key or a pseudonymised field's text). Pure. */
export function destinationPseudonym(
  keyring: PseudonymKeyring,
  destination: string,
  value: string,
  keyId: string = keyring.activeKeyId,
): string {
  const key = derivePseudonymKey(secretOf(keyring, keyId), destinationScope(destination));
  return pseudonymWith(keyId, key, value);
}

/**
 * What is wrong with a keyring's shape, without any secret or id in the text: ids outside
 * {@link KEY_ID_PATTERN}, empty secrets, an active id without a secret.
 */
export function keyringProblems(keyring: PseudonymKeyring): string[] {
  const problems: string[] = [];
  if (![...keyring.secrets.keys()].every((id) => KEY_ID_PATTERN.test(id)))
    problems.push('every key id must be 1-16 lowercase letters, digits or "-"');
  if (![...keyring.secrets.values()].every((s) => s.length > 0)) problems.push('no secret may be empty');
  if (!keyring.secrets.has(keyring.activeKeyId)) problems.push('the active key id must have a secret');
  return problems;
}

/**
 * Keyed pseudonyms of one scope under the keyring's active key, cached (attribute values and
 * identifiers repeat across events). Stable per key id and scope, not reversible without the secret.
 */
export class Pseudonymiser {
  private readonly cache = new Map<string, string>();
  private readonly keyId: string;
  private readonly key: Buffer;

  constructor(keyring: PseudonymKeyring, scope: string) {
    this.keyId = keyring.activeKeyId;
    this.key = derivePseudonymKey(secretOf(keyring, this.keyId), scope);
  }

  /** Pseudonym of a string, cached. */
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
    return pseudonymWith(this.keyId, this.key, value);
  }

  /** Pseudonym of any JSON value (arrays and objects by their JSON text). */
  ofValue(value: unknown): string {
    return this.of(typeof value === 'string' ? value : JSON.stringify(value));
  }
}
