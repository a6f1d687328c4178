import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { bannerEvidence, bannerOf, declaredCategories, mapCategories } from './banner-evidence';
import { isObject, own } from './payload-read';
import { refuseIfExpired } from './signal-age';

/**
 * What a OneTrust site posts: the `OptanonConsent` cookie, the `OptanonAlertBoxClosed` cookie
 * (absent until the banner was closed) and `OneTrust.GetDomainData().ConsentModel.Name`.
 */
export interface OneTrustPayload {
  readonly optanonConsent: string;
  readonly alertBoxClosed: string | null;
  readonly consentModel: string;
}

const KEYS = new Set(['optanonConsent', 'alertBoxClosed', 'consentModel']);
const GROUPS = /^[A-Za-z0-9_-]{1,32}:[01](?:,[A-Za-z0-9_-]{1,32}:[01]){0,63}$/;

/**
 * Maps OneTrust's cookies onto cookie-banner evidence. A consent model other than `opt-in`
 * (opt-out, implied), `interactionCount=0`, or a banner never closed is not consent: the first two
 * are recorded in the CMP signal for the core's R5 check, the last as a CMP default (R1), since
 * OneTrust's groups then only hold the defaults. `C0001` (strictly necessary) is never consent (R6).
 */
export function adaptOneTrust(
  policy: CompiledPolicy,
  payload: unknown,
  context: CaptureContext,
): AdapterResult {
  if (!isObject(payload)) return refuse('malformed', 'payload', 'must be a JSON object');
  if (Object.keys(payload).some((k) => !KEYS.has(k)))
    return refuse('malformed', 'payload.*', 'has an undeclared property');
  const raw = own(payload, 'optanonConsent');
  if (typeof raw !== 'string')
    return refuse('malformed', 'payload.optanonConsent', 'must be the cookie value');
  if (raw.length > 4096)
    return refuse('oversized', 'payload.optanonConsent', 'must be at most 4096 characters');
  const model = own(payload, 'consentModel');
  if (typeof model !== 'string' || model.length === 0 || model.length > 64)
    return refuse('malformed', 'payload.consentModel', 'must be the consent model name');
  const closed = own(payload, 'alertBoxClosed');
  if (closed !== null && closed !== undefined && typeof closed !== 'string')
    return refuse('malformed', 'payload.alertBoxClosed', 'must be the cookie value or null');
  let closedAt: number | null = null;
  if (typeof closed === 'string' && closed !== '') {
    closedAt = closed.length <= 64 ? Date.parse(closed) : Number.NaN;
    if (Number.isNaN(closedAt)) return refuse('malformed', 'payload.alertBoxClosed', 'must be a date');
  }

  // URLSearchParams decodes `groups=C0001%3A1%2CC0002%3A0` and never throws on bad escapes.
  const params = new URLSearchParams(raw);
  const groups = params.getAll('groups');
  if (groups.length !== 1 || !GROUPS.test(groups[0]))
    return refuse('malformed', 'payload.optanonConsent.groups', 'must be one list of <group>:<0|1>');
  const granted = new Set<string>();
  const seen = new Set<string>();
  for (const entry of groups[0].split(',')) {
    const [group, flag] = entry.split(':');
    if (seen.has(group)) return refuse('malformed', 'payload.optanonConsent.groups', 'names a group twice');
    seen.add(group);
    if (flag === '1') granted.add(group);
  }
  const count = params.get('interactionCount');
  if (count === null || !/^\d{1,9}$/.test(count))
    return refuse('malformed', 'payload.optanonConsent.interactionCount', 'must be a whole number');
  if (closedAt !== null) {
    const expired = refuseIfExpired(policy, closedAt, context.receivedAt, 'payload.alertBoxClosed');
    if (expired !== null) return expired;
  }
  const banner = bannerOf(policy, context);
  if ('refusal' in banner) return banner.refusal;
  const byChoice = declaredCategories(banner.form, 'onetrust');
  if ('ok' in byChoice) return byChoice;
  const mapped = mapCategories(policy, banner.form, byChoice, (c) => granted.has(c));
  const version = params.get('version');
  return bannerEvidence(banner.form, context, {
    cmp: version !== null && /^[0-9][0-9.]{0,19}$/.test(version) ? `onetrust/${version}` : 'onetrust',
    purposes: mapped.purposes,
    cmpSignal: { consentModel: model, interactionCount: Number(count) },
    leftOut: mapped.leftOut,
    ...(closedAt === null ? { nonAffirmative: 'cmp_default' } : {}),
  });
}
