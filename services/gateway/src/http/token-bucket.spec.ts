import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows the burst, then the rate, per key, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 3, () => now);
    expect([1, 2, 3].map(() => buckets.take('crm'))).toEqual([0, 0, 0]);
    expect(buckets.take('crm')).toBe(1);
    expect(buckets.take('checkout')).toBe(0);
    now = 500;
    expect(buckets.take('crm')).toBe(0);
    expect(buckets.take('crm')).toBeGreaterThan(0);
    now = 60_000;
    expect([1, 2, 3].map(() => buckets.take('crm'))).toEqual([0, 0, 0]);
    expect(buckets.take('crm')).toBeGreaterThan(0);
  });
});
