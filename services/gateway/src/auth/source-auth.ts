import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How a source proves who it is. */
export type SourceCredential =
  | { readonly method: 'api-key'; readonly keyHash: Buffer }
  | { readonly method: 'hmac'; readonly secret: Buffer };

/** Why a request is not authenticated; codes only, never a header's value. */
export type AuthFailure =
  | 'source-not-configured'
  | 'missing-credentials'
  | 'wrong-key'
  | 'bad-signature'
  | 'expired-timestamp'
  | 'replayed';

/** The request parts authentication reads. */
export interface SignedRequest {
  readonly apiKey: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: Buffer;
}

export const AUTH_MESSAGES: Readonly<Record<AuthFailure, string>> = {
  'source-not-configured': 'this source has no API key or signing secret configured at the gateway',
  'missing-credentials':
    'send the source API key in X-Api-Key, or X-Gateway-Timestamp and X-Gateway-Signature for a signing source',
  'wrong-key': 'X-Api-Key: not the key of this source',
  'bad-signature':
    'X-Gateway-Signature: must be v1=<hex HMAC-SHA256 of "<X-Gateway-Timestamp>.<raw body>"> with the source secret',
  'expired-timestamp': 'X-Gateway-Timestamp: epoch seconds within the allowed window of the gateway clock',
  replayed: 'this signed request was already received: sign each request afresh',
};

/** Parses `source=<sha256 hex>,...` and `source=<base64 secret>,...` into credentials by source. */
export function parseCredentials(
  keys: string | undefined,
  secrets: string | undefined,
): Map<string, SourceCredential> {
  const out = new Map<string, SourceCredential>();
  for (const entry of keys ? keys.split(',') : []) {
    const [source, hex] = entry.split('=');
    out.set(source, { method: 'api-key', keyHash: Buffer.from(hex, 'hex') });
  }
  for (const entry of secrets ? secrets.split(',') : []) {
    const at = entry.indexOf('=');
    out.set(entry.slice(0, at), { method: 'hmac', secret: decodeSecret(entry.slice(at + 1)) });
  }
  return out;
}

/** A base64 or base64url secret. */
export function decodeSecret(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** The signature a signing source sends: `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>`. */
export function requestSignature(secret: Buffer, timestamp: string, rawBody: Buffer | string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a source's request: its API key, or its signature, timestamp and freshness. Signatures
 * seen within the window are remembered so a captured request cannot be sent again.
 */
export class SourceAuthenticator {
  /** Signature -> when it stops mattering (its timestamp has left the window). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly credentials: ReadonlyMap<string, SourceCredential>,
    private readonly maxAgeS: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  check(source: string, request: SignedRequest): AuthFailure | null {
    const credential = this.credentials.get(source);
    if (credential === undefined) return 'source-not-configured';
    if (credential.method === 'api-key') {
      if (request.apiKey === undefined || request.apiKey === '') return 'missing-credentials';
      const hash = createHash('sha256').update(request.apiKey).digest();
      return sameBytes(hash, credential.keyHash) ? null : 'wrong-key';
    }
    const { timestamp, signature } = request;
    if (timestamp === undefined || signature === undefined) return 'missing-credentials';
    const expected = Buffer.from(requestSignature(credential.secret, timestamp, request.rawBody));
    if (signature.length > 128 || !sameBytes(Buffer.from(signature), expected)) return 'bad-signature';
    // Checked after the signature, so an unsigned guess learns nothing about the clock.
    const now = this.nowMs();
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Number(timestamp) * 1000 - now) > this.maxAgeS * 1000)
      return 'expired-timestamp';
    this.forgetExpired(now);
    const key = `${source}\u0000${signature}`;
    if (this.seen.has(key)) return 'replayed';
    this.seen.set(key, Number(timestamp) * 1000 + this.maxAgeS * 1000);
    return null;
  }

  private forgetExpired(now: number): void {
    if (this.seen.size < 1024) return;
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
  }
}
