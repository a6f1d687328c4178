import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { checked } from './banner-evidence';
import { isObject, own, sizeOver, type JsonObject } from './payload-read';

/**
 * Our own banner's callback body:
 * `{ bannerVersion, textVersion, language, action, layer, choices: { <choice>: boolean } }`.
 * The reference adapter: the banner reports exactly what the contract needs, so the mapping is
 * the banner's own `choices` declaration. Refusals name the path, never the value.
 */
export interface OwnBannerPayload {
  readonly bannerVersion: string;
  readonly textVersion: string;
  readonly language: string;
  readonly action: string;
  readonly layer: number;
  readonly choices: Readonly<Record<string, boolean>>;
}

const KEYS = new Set(['bannerVersion', 'textVersion', 'language', 'action', 'layer', 'choices']);
const MAX_CHARS = 4096;

function str(p: JsonObject, key: string, pattern: RegExp): string | null {
  const v = own(p, key);
  return typeof v === 'string' && pattern.test(v) ? v : null;
}

/** Maps our banner's callback onto cookie-banner evidence. */
export function adaptOwnBanner(
  policy: CompiledPolicy,
  payload: unknown,
  context: CaptureContext,
): AdapterResult {
  if (!isObject(payload)) return refuse('malformed', 'payload', 'must be a JSON object');
  if (sizeOver(payload, MAX_CHARS))
    return refuse('oversized', 'payload', `must be under ${MAX_CHARS} characters`);
  if (Object.keys(payload).some((k) => !KEYS.has(k)))
    return refuse('malformed', 'payload.*', 'has an undeclared property');
  const bannerVersion = str(payload, 'bannerVersion', /^.{1,128}$/u);
  if (bannerVersion === null)
    return refuse('malformed', 'payload.bannerVersion', 'must be a string of 1-128 characters');
  const textVersion = str(payload, 'textVersion', /^.{1,256}$/u);
  if (textVersion === null)
    return refuse('malformed', 'payload.textVersion', 'must be a string of 1-256 characters');
  const language = str(payload, 'language', /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/);
  if (language === null || language.length > 35)
    return refuse('malformed', 'payload.language', 'must be a BCP 47 language tag');
  const action = str(payload, 'action', /^[a-z][a-z_]{0,63}$/);
  if (action === null) return refuse('malformed', 'payload.action', 'must be a lower-case action name');
  const layer = own(payload, 'layer');
  if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 1 || layer > 9)
    return refuse('malformed', 'payload.layer', 'must be an integer from 1 to 9');
  const choices = own(payload, 'choices');
  if (!isObject(choices)) return refuse('malformed', 'payload.choices', 'must be an object of booleans');

  const form = policy.forms.get(bannerVersion);
  if (form === undefined || form.kind !== 'cookie-banner')
    return refuse('unknown-form', 'payload.bannerVersion', 'is not a cookie banner registered in the policy');
  const purposes = new Set<string>();
  for (const [choice, on] of Object.entries(choices)) {
    if (typeof on !== 'boolean') return refuse('malformed', 'payload.choices.*', 'must be a boolean');
    // A choice the registered banner does not have was not shown on it (R7): the report is wrong.
    if (!form.choices.has(choice))
      return refuse('unknown-form', 'payload.choices.*', `is not a choice of ${form.version}`);
    if (on) for (const p of form.choices.get(choice) ?? []) purposes.add(p);
  }
  // The core applies R1-R3 and R6 to the action and layer as reported; nothing is decided here.
  return checked({
    evidenceId: context.evidenceId,
    kind: 'cookie-banner',
    subject: { key: context.subjectKey },
    timestamp: context.receivedAt,
    cmp: 'own-banner',
    formVersion: form.version,
    textVersion,
    action,
    uiLayer: layer,
    language,
    purposes: [...purposes].sort(),
    sourceChannel: context.sourceChannel,
    ...(context.url === undefined ? {} : { url: context.url }),
  });
}
