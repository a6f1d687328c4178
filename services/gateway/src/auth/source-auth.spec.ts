import { createHash } from 'node:crypto';
import { parseCredentials, requestSignature, SourceAuthenticator } from './source-auth';

const KEY = 'crm-api-key-0123456789';
const SECRET = Buffer.alloc(32, 3);
const credentials = parseCredentials(
  `crm=${createHash('sha256').update(KEY).digest('hex')}`,
  `checkout=${SECRET.toString('base64')}`,
);
const body = Buffer.from('{"id":"1"}');

describe('SourceAuthenticator', () => {
  let now = 1_800_000_000_000;
  const auth = () => new SourceAuthenticator(credentials, 300, () => now);
  const signed = (ts: string, secret = SECRET, raw = body) => ({
    apiKey: undefined,
    timestamp: ts,
    signature: requestSignature(secret, ts, raw),
    rawBody: body,
  });
  const ts = () => String(Math.floor(now / 1000));

  it('checks API keys by their hash', () => {
    const a = auth();
    const request = { timestamp: undefined, signature: undefined, rawBody: body };
    expect(a.check('crm', { ...request, apiKey: KEY })).toBeNull();
    expect(a.check('crm', { ...request, apiKey: 'wrong' })).toBe('wrong-key');
    expect(a.check('crm', { ...request, apiKey: undefined })).toBe('missing-credentials');
    expect(a.check('web', { ...request, apiKey: KEY })).toBe('source-not-configured');
  });

  it('checks signatures, their age and replays', () => {
    const a = auth();
    const good = signed(ts());
    expect(a.check('checkout', good)).toBeNull();
    expect(a.check('checkout', good)).toBe('replayed');
    expect(a.check('checkout', signed(ts(), Buffer.alloc(32, 4)))).toBe('bad-signature');
    expect(a.check('checkout', signed(ts(), SECRET, Buffer.from('{"id":"2"}')))).toBe('bad-signature');
    expect(a.check('checkout', signed(String(Math.floor(now / 1000) - 301)))).toBe('expired-timestamp');
    expect(a.check('checkout', signed(String(Math.floor(now / 1000) + 301)))).toBe('expired-timestamp');
    expect(a.check('checkout', { ...good, signature: undefined })).toBe('missing-credentials');
    // A key source cannot be reached with a signature, nor a signing source with a key.
    expect(a.check('crm', signed(ts()))).toBe('missing-credentials');
    expect(
      a.check('checkout', { apiKey: KEY, timestamp: undefined, signature: undefined, rawBody: body }),
    ).toBe('missing-credentials');
    now += 1000;
  });
});
