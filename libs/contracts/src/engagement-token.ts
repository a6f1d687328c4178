import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The opaque token of an e-mail open pixel or tracked link: minted by the e-mail tool, read by the
 * gateway. It carries the campaign, the recipient as the subject key the engine uses and, for a
 * link, its target; all of it encrypted (AES-256-CTR), then authenticated (HMAC-SHA256 over the
 * version, IV and ciphertext). Why encrypted and not only signed: the token travels in mail bodies,
 * proxies and logs, and the recipient must not be readable from it.
 */
export interface EngagementClaims {
  /** Campaign id as the e-mail tool names it (no personal data). */
  readonly campaignId: string;
  /** The recipient: the subject key the engine uses (e.g. the CRM customer id). */
  readonly subjectKey: string;
  /** For a tracked link: where the click goes (checked again against the allow-list on use). */
  readonly link?: string;
  /** For a double opt-in confirmation link: the id of the sign-up evidence it confirms. */
  readonly confirms?: string;
  /** When the token stops being valid (Unix seconds); the reader checks it against its clock. */
  readonly expiresAt?: number;
}

/** The two keys derived from one secret, so one setting serves both jobs. */
export interface EngagementKeys {
  readonly encryption: Buffer;
  readonly authentication: Buffer;
}

const VERSION = 1;
const IV_BYTES = 16;
const TAG_BYTES = 32;
/** Longer tokens are refused before any work. */
export const MAX_ENGAGEMENT_TOKEN_CHARS = 4096;
const CAMPAIGN = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_SUBJECT_CHARS = 256;
const MAX_LINK_CHARS = 2048;

/**
 * What a token is for: `engagement` (open pixel, tracked link) or `unsubscribe` (the List-Unsubscribe
 * link). Each use has keys of its own, so a pixel token, which travels in image requests and
 * proxies, can never unsubscribe anyone, and an unsubscribe token records no open; `confirmation`
 * (the double opt-in link) likewise confirms nothing but its own sign-up.
 */
export type TokenUse = 'engagement' | 'unsubscribe' | 'confirmation';

/** Derives the keys of one use from a secret of at least 32 bytes. */
export function engagementKeys(secret: Buffer, use: TokenUse = 'engagement'): EngagementKeys {
  if (secret.length < 32) throw new Error('engagement token secret: at least 32 bytes');
  const derive = (label: string): Buffer => createHmac('sha256', secret).update(label).digest();
  return {
    encryption: derive(`${use}-token/v1/encryption`),
    authentication: derive(`${use}-token/v1/authentication`),
  };
}

/** Why claims cannot be minted; names the field, never its value. */
export function engagementClaimsProblem(claims: EngagementClaims): string | null {
  if (typeof claims.campaignId !== 'string' || !CAMPAIGN.test(claims.campaignId))
    return 'campaignId: 1-128 characters of A-Z a-z 0-9 . _ : -';
  if (
    typeof claims.subjectKey !== 'string' ||
    claims.subjectKey.trim() === '' ||
    claims.subjectKey.length > MAX_SUBJECT_CHARS
  )
    return `subjectKey: a non-empty string of at most ${MAX_SUBJECT_CHARS} characters`;
  if (claims.link !== undefined && (typeof claims.link !== 'string' || !isHttpUrl(claims.link)))
    return `link: an http(s) URL of at most ${MAX_LINK_CHARS} characters`;
  if (
    claims.confirms !== undefined &&
    (typeof claims.confirms !== 'string' || !CAMPAIGN.test(claims.confirms))
  )
    return 'confirms: 1-128 characters of A-Z a-z 0-9 . _ : -';
  if (claims.expiresAt !== undefined && !Number.isSafeInteger(claims.expiresAt))
    return 'expiresAt: whole Unix seconds';
  return null;
}

function isHttpUrl(text: string): boolean {
  if (text.length > MAX_LINK_CHARS) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function tag(keys: EngagementKeys, body: Buffer): Buffer {
  return createHmac('sha256', keys.authentication).update(body).digest();
}

/** Mints a token (base64url). Throws on claims that could not be read back. */
export function mintEngagementToken(
  keys: EngagementKeys,
  claims: EngagementClaims,
  iv: Buffer = randomBytes(IV_BYTES),
): string {
  const problem = engagementClaimsProblem(claims);
  if (problem !== null) throw new Error(`engagement token: ${problem}`);
  const plain = Buffer.from(
    JSON.stringify({
      c: claims.campaignId,
      s: claims.subjectKey,
      ...(claims.link ? { l: claims.link } : {}),
      ...(claims.confirms === undefined ? {} : { f: claims.confirms }),
      ...(claims.expiresAt === undefined ? {} : { x: claims.expiresAt }),
    }),
  );
  const cipher = createCipheriv('aes-256-ctr', keys.encryption, iv);
  const body = Buffer.concat([Buffer.from([VERSION]), iv, cipher.update(plain), cipher.final()]);
  return Buffer.concat([body, tag(keys, body)]).toString('base64url');
}

/** Reads a token: its claims, or null when it is not one this key minted (never throws). */
export function openEngagementToken(keys: EngagementKeys, token: unknown): EngagementClaims | null {
  if (typeof token !== 'string' || token.length > MAX_ENGAGEMENT_TOKEN_CHARS) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) return null;
  const body = raw.subarray(0, raw.length - TAG_BYTES);
  if (!timingSafeEqual(tag(keys, body), raw.subarray(raw.length - TAG_BYTES))) return null;
  const decipher = createDecipheriv('aes-256-ctr', keys.encryption, body.subarray(1, 1 + IV_BYTES));
  const plain = Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { c, s, l, f, x } = parsed as Record<string, unknown>;
  if (
    typeof c !== 'string' ||
    typeof s !== 'string' ||
    (l !== undefined && typeof l !== 'string') ||
    (f !== undefined && typeof f !== 'string') ||
    (x !== undefined && typeof x !== 'number')
  )
    return null;
  const claims: EngagementClaims = {
    campaignId: c,
    subjectKey: s,
    ...(l === undefined ? {} : { link: l }),
    ...(f === undefined ? {} : { confirms: f }),
    ...(x === undefined ? {} : { expiresAt: x }),
  };
  return engagementClaimsProblem(claims) === null ? claims : null;
}
