import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { bannerEvidence, bannerOf, declaredCategories, mapCategories } from './banner-evidence';
import { parseCookiebotCookie } from './cookiebot-cookie';
import { refuseIfExpired } from './signal-age';

const CATEGORIES = ['preferences', 'statistics', 'marketing'] as const;

/**
 * Maps Cookiebot's `CookieConsent` cookie onto cookie-banner evidence. No cookie (`null`), an
 * empty one or `-1` (Cookiebot's "consent not required here") is no response; `method` other than
 * `explicit` (e.g. `implied`, set in opt-out regions) is not consent. Both are recorded with the
 * CMP signal so the core refuses them under R5. `necessary` is never consent (R6) and maps to
 * nothing. The stamp (Cookiebot's consent id) stays with the platform: the ledger keeps the raw cookie.
 */
export function adaptCookiebot(
  policy: CompiledPolicy,
  payload: unknown,
  context: CaptureContext,
): AdapterResult {
  if (payload !== null && typeof payload !== 'string')
    return refuse('malformed', 'payload', 'must be the CookieConsent cookie value or null');
  const banner = bannerOf(policy, context);
  if ('refusal' in banner) return banner.refusal;
  const byChoice = declaredCategories(banner.form, 'cookiebot');
  if ('ok' in byChoice) return byChoice;
  if (payload === null || payload === '' || payload === '-1')
    return bannerEvidence(banner.form, context, {
      cmp: 'cookiebot',
      purposes: [],
      cmpSignal: { hasResponse: false },
      nonAffirmative: 'cmp_default',
      leftOut: [],
    });
  if (payload.length > 4096) return refuse('oversized', 'payload', 'must be at most 4096 characters');
  const cookie = parseCookiebotCookie(payload);
  if (cookie === null) return refuse('malformed', 'payload', 'is not a CookieConsent object literal');
  const flags = new Map<string, boolean>();
  for (const c of CATEGORIES) {
    const v = cookie.get(c);
    if (typeof v !== 'boolean') return refuse('malformed', `payload.${c}`, 'must be true or false');
    flags.set(c, v);
  }
  const method = cookie.get('method');
  if (typeof method !== 'string' || method.length === 0 || method.length > 64)
    return refuse('malformed', 'payload.method', 'must be a string');
  const ver = cookie.get('ver');
  if (ver !== undefined && (typeof ver !== 'number' || !Number.isInteger(ver) || ver < 0))
    return refuse('malformed', 'payload.ver', 'must be a whole number');
  const utc = cookie.get('utc');
  if (utc !== undefined) {
    if (typeof utc !== 'number' || !Number.isSafeInteger(utc) || utc < 0)
      return refuse('malformed', 'payload.utc', 'must be milliseconds since 1970');
    const expired = refuseIfExpired(policy, utc, context.receivedAt, 'payload.utc');
    if (expired !== null) return expired;
  }
  const mapped = mapCategories(policy, banner.form, byChoice, (c) => flags.get(c) === true);
  return bannerEvidence(banner.form, context, {
    cmp: ver === undefined ? 'cookiebot' : `cookiebot/ver-${ver}`,
    purposes: mapped.purposes,
    cmpSignal: { hasResponse: true, method },
    leftOut: mapped.leftOut,
  });
}
