import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The roles of the auditor API, from least to most: each one may do what the one before may. */
export const AUDIT_ROLES = ['auditor', 'dpo', 'admin'] as const;
export type AuditRole = (typeof AUDIT_ROLES)[number];

/** True when `held` is `needed` or above it (admin ⊇ dpo ⊇ auditor). */
export function roleCovers(held: AuditRole, needed: AuditRole): boolean {
  return AUDIT_ROLES.indexOf(held) >= AUDIT_ROLES.indexOf(needed);
}

export function isAuditRole(value: unknown): value is AuditRole {
  return typeof value === 'string' && (AUDIT_ROLES as readonly string[]).includes(value);
}

/**
 * An API key as given to its holder once: `gov_<keyId>_<secret>`. The key id (64 random bits, hex)
 * is the lookup key and may appear in logs; the secret (256 random bits, base64url) never is stored
 * or logged, only its SHA-256. A hash without salt or stretching is enough for 256 random bits: no
 * dictionary covers them, unlike passwords.
 */
const TOKEN = /^gov_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly keyId: string;
  /** The whole key, to print once. */
  readonly token: string;
  readonly secretSha256: Buffer;
}

export function generateApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, token: `gov_${keyId}_${secret}`, secretSha256: sha256(secret) };
}

/** The key id and the hash of the secret of a presented key, or null when it is not one of ours. */
export function parseApiKey(token: string): { keyId: string; secretSha256: Buffer } | null {
  const m = TOKEN.exec(token);
  if (m === null) return null;
  return { keyId: m[1] as string, secretSha256: sha256(m[2] as string) };
}

/** Constant-time comparison of two SHA-256 digests. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
