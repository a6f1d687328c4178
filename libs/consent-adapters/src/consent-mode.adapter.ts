import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { bannerEvidence, bannerOf, declaredCategories, mapCategories } from './banner-evidence';
import { isObject, own } from './payload-read';

/** Consent Mode v2 signals; any other key is refused, `wait_for_update` and `region` are ignored. */
const SIGNALS = new Set([
  'ad_storage',
  'analytics_storage',
  'ad_user_data',
  'ad_personalization',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
]);
const IGNORED = new Set(['wait_for_update', 'region']);

/**
 * Maps a Google Consent Mode v2 command, as the page pushed it (`['consent', 'update', {...}]`),
 * onto cookie-banner evidence. A `default` command is the site's setting before anyone chose, so
 * it is recorded as a CMP default, which grants nothing (R1). A signal left out counts as denied
 * (Google: unspecified is denied).
 */
export function adaptConsentMode(
  policy: CompiledPolicy,
  payload: unknown,
  context: CaptureContext,
): AdapterResult {
  if (!Array.isArray(payload) || payload.length !== 3)
    return refuse('malformed', 'payload', "must be the command ['consent', 'default' | 'update', {...}]");
  const [head, command, state] = payload as unknown[];
  if (head !== 'consent') return refuse('malformed', 'payload[0]', "must be 'consent'");
  if (command !== 'default' && command !== 'update')
    return refuse('malformed', 'payload[1]', "must be 'default' or 'update'");
  if (!isObject(state)) return refuse('malformed', 'payload[2]', 'must be an object');
  const keys = Object.keys(state);
  if (keys.length > 16)
    return refuse('oversized', 'payload[2]', 'has more properties than Consent Mode defines');
  const granted = new Set<string>();
  for (const key of keys) {
    if (IGNORED.has(key)) continue;
    if (!SIGNALS.has(key)) return refuse('malformed', 'payload[2].*', 'is not a Consent Mode v2 signal');
    const value = own(state, key);
    if (value !== 'granted' && value !== 'denied')
      return refuse('malformed', `payload[2].${key}`, "must be 'granted' or 'denied'");
    if (value === 'granted') granted.add(key);
  }
  const banner = bannerOf(policy, context);
  if ('refusal' in banner) return banner.refusal;
  const byChoice = declaredCategories(banner.form, 'consentMode');
  if ('ok' in byChoice) return byChoice;
  const mapped = mapCategories(policy, banner.form, byChoice, (c) => granted.has(c));
  return bannerEvidence(banner.form, context, {
    cmp: 'google-consent-mode-v2',
    purposes: mapped.purposes,
    leftOut: mapped.leftOut,
    ...(command === 'default' ? { nonAffirmative: 'cmp_default' } : {}),
  });
}
