import { type RetryBackoff } from './batch-processor.types';

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 200, maxMs: 30000 };

/** Delay before attempt `attempt + 1`: exponential, capped, with ±20 % jitter so instances spread out. */
export function backoffDelayMs(backoff: RetryBackoff, attempt: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Waits `ms` in short steps, calling `tick` between them (heartbeats) and returning early once
 * `keepWaiting` says no (the consumer is stopping).
 */
export async function waitWhile(
  ms: number,
  keepWaiting: () => boolean,
  tick: () => Promise<void>,
): Promise<void> {
  const until = Date.now() + ms;
  while (keepWaiting() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, until - Date.now()))));
    await tick().catch(() => undefined);
  }
}
