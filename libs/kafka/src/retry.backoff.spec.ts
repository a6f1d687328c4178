import { backoffDelayMs } from './retry.backoff';

describe('backoffDelayMs', () => {
  it('grows exponentially from the initial delay and stays under the cap (±20 % jitter)', () => {
    const backoff = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(backoff, 0)).toBeGreaterThanOrEqual(80);
    expect(backoffDelayMs(backoff, 0)).toBeLessThanOrEqual(120);
    expect(backoffDelayMs(backoff, 2)).toBeGreaterThanOrEqual(320);
    expect(backoffDelayMs(backoff, 2)).toBeLessThanOrEqual(480);
    expect(backoffDelayMs(backoff, 50)).toBeLessThanOrEqual(1200);
  });
});
