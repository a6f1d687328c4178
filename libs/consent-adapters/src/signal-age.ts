import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult } from './adapter.types';

/**
 * A platform signal re-sent long after it was made must not be timed afresh by its receive time:
 * that would restart its maximum age (R8). Refuses a signal whose own date lies further back than
 * the policy's cookie consent age; null when it is within it or the policy sets no age.
 */
export function refuseIfExpired(
  policy: CompiledPolicy,
  signalAtMs: number,
  receivedAt: string,
  path: string,
): AdapterResult | null {
  const maxAge = policy.options.cookieConsentMaxAgeMs;
  const received = Date.parse(receivedAt);
  if (maxAge === null || Number.isNaN(received)) return null;
  return received - signalAtMs > maxAge
    ? refuse('expired', path, 'the signal was made longer ago than the cookie consent maximum age (R8)')
    : null;
}
