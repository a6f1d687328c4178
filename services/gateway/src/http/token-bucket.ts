/**
 * Per-key rate limit: a token bucket of `burst` tokens refilled at `perSecond`. Keys are policy
 * names (sources, adapters, endpoints), never input, so the map stays as small as the policy.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens for `key`: 0 when allowed, else the seconds to wait (for Retry-After). */
  take(key: string, cost = 1): number {
    const now = this.nowMs();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((Math.min(cost, this.burst) - bucket.tokens) / this.perSecond));
  }
}
