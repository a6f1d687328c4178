import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A site's word for who is signed in, for browser-facing endpoints: `<payload>.<signature>`, both
 * base64url, the payload `{"sub":"<subject key>","exp":<epoch seconds>}`, the signature
 * HMAC-SHA256 over the payload part with a secret the site's backend and the gateway share. A
 * browser can assert a device identifier and its banner choice; a customer id only through this.
 */
export interface SiteSubjectClaims {
  readonly subjectKey: string;
  /** Expiry, epoch seconds. */
  readonly expiresAt: number;
}

const MAX_TOKEN_CHARS = 1024;
/** A token valid for longer than this is refused: the site mints them per page. */
export const MAX_SITE_TOKEN_LIFETIME_S = 24 * 3600;

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Mints a token (the site's backend does this; here for its libraries and the tests). */
export function mintSiteSubjectToken(secret: Buffer, claims: SiteSubjectClaims): string {
  const payload = Buffer.from(JSON.stringify({ sub: claims.subjectKey, exp: claims.expiresAt })).toString(
    'base64url',
  );
  return `${payload}.${sign(secret, payload)}`;
}

/** Why a token is not accepted at `nowS`; codes only, never the token. */
export type SiteTokenProblem = 'malformed' | 'bad-signature' | 'expired' | 'lifetime-too-long';

/** Verifies a token at `nowS` (epoch seconds): its claims, or why not. Never throws. */
export function verifySiteSubjectToken(
  secret: Buffer,
  token: unknown,
  nowS: number,
): { ok: true; claims: SiteSubjectClaims } | { ok: false; problem: SiteTokenProblem } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return { ok: false, problem: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1]))
    return { ok: false, problem: 'malformed' };
  const expected = Buffer.from(sign(secret, parts[0]));
  const given = Buffer.from(parts[1]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, problem: 'bad-signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, problem: 'malformed' };
  const { sub, exp } = parsed as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 256 || typeof exp !== 'number')
    return { ok: false, problem: 'malformed' };
  if (!Number.isFinite(exp) || exp <= nowS) return { ok: false, problem: 'expired' };
  if (exp - nowS > MAX_SITE_TOKEN_LIFETIME_S) return { ok: false, problem: 'lifetime-too-long' };
  return { ok: true, claims: { subjectKey: sub, expiresAt: exp } };
}
