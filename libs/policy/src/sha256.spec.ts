import { createHmac } from 'node:crypto';
import { HmacSha256 } from './sha256';

describe('HmacSha256', () => {
  const texts = [
    '',
    'abc',
    'ck-3-1621',
    'a'.repeat(55),
    'a'.repeat(56),
    'a'.repeat(63),
    'a'.repeat(64),
    'x'.repeat(1000),
    'Grüße, €, 😀',
    'lone \ud800 surrogate',
    'nul\u0000inside',
  ];
  const keys: (string | Uint8Array)[] = [
    'test-key',
    '',
    'k'.repeat(64),
    'long-'.repeat(30),
    new Uint8Array([1, 2, 3]),
  ];

  it('equals node:crypto createHmac for short, long and non-ASCII inputs and keys', () => {
    for (const key of keys) {
      const hmac = new HmacSha256(key);
      for (const text of texts) {
        const expected = createHmac('sha256', key).update(text).digest('hex');
        expect(hmac.hex(text)).toBe(expected);
        expect(hmac.hex(text, 32)).toBe(expected.slice(0, 32));
      }
    }
  });
});
