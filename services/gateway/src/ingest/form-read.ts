import { type MarketingScope, type WithdrawalScope } from '@app/contracts';
import { GatewayError } from '../http/gateway-error';

/**
 * Strict readers of the form endpoints' bodies: closed objects, exact types, bounded strings and
 * lists. A problem is a 400 naming the field and what it must be, never the value sent.
 */

/** Every form names its subject: the key the engine uses (e.g. the CRM customer id). */
export interface FormSubmission {
  readonly subjectKey: string;
}

/** What a sign-up form (or a grant in the preference centre) records. */
export interface SignUpFields {
  readonly formVersion: string;
  readonly textVersion: string;
  readonly language: string;
  readonly action: string;
  readonly purposes: readonly string[];
  readonly scopes?: readonly MarketingScope[];
  readonly url?: string;
}

export interface CheckoutFields extends FormSubmission {
  readonly formVersion: string;
  readonly textVersion: string;
  readonly language?: string;
  readonly orderId?: string;
  readonly saleCompleted: boolean;
  readonly productGroups: readonly string[];
  readonly optOutShown: boolean;
  readonly optOutTicked: boolean;
}

export interface PreferenceFields extends FormSubmission {
  readonly formVersion?: string;
  readonly grants: readonly SignUpFields[];
  readonly withdrawals: readonly WithdrawalScope[];
}

/** Channels an objection may arrive by (recorded as the evidence's source channel). */
export const OBJECTION_CHANNELS = [
  'web',
  'email-reply',
  'customer-service',
  'phone',
  'letter',
  'app',
  'store',
] as const;

export interface ObjectionFields extends FormSubmission {
  readonly channel: string;
}

/** The states of the checkout's opt-out box as the customer left it. */
export const OPT_OUT_BOX = ['unticked', 'ticked', 'not-shown'] as const;

type Obj = Record<string, unknown>;

function bad(message: string): GatewayError {
  return new GatewayError(400, 'malformed', message);
}

function object(value: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`${path}: a JSON object`);
  const unknown = Object.keys(value).find((k) => !keys.includes(k));
  if (unknown !== undefined) throw bad(`${path}: may hold only ${keys.join(', ')}`);
  return value as Obj;
}

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw bad(`${path}: a non-empty string of at most ${max} characters`);
  return value;
}

function optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}

function names(value: unknown, path: string, min = 0): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > 64)
    throw bad(`${path}: a list of ${min}-64 names`);
  return value.map((v, i) => text(v, `${path}[${i}]`, 128));
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw bad(`${path}: true or false`);
  return value;
}

function language(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/.test(value))
    throw bad(`${path}: a language tag such as da or en-GB`);
  return value;
}

function subjectKey(body: Obj): string {
  return text(body.subjectKey, 'subjectKey', 256);
}

function url(value: unknown, path: string): string {
  const problem = `${path}: an http(s) URL of at most 2048 characters`;
  if (typeof value !== 'string' || value.length > 2048) throw bad(problem);
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
    // Query and fragment may carry personal data (an e-mail address in a tracking parameter).
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    throw bad(problem);
  }
}

function scope(value: unknown, path: string): MarketingScope {
  const s = object(value, path, ['brands', 'channels', 'productGroups']);
  return {
    brands: names(s.brands, `${path}.brands`, 1),
    channels: names(s.channels, `${path}.channels`, 1),
    productGroups: names(s.productGroups, `${path}.productGroups`),
  };
}

const SIGN_UP_KEYS = ['formVersion', 'textVersion', 'language', 'action', 'purposes', 'scopes', 'url'];

function signUpFields(s: Obj, path: string): SignUpFields {
  const scopes = optional(s.scopes, (v) => {
    if (!Array.isArray(v) || v.length < 1 || v.length > 32)
      throw bad(`${path}scopes: a list of 1-32 {brands, channels, productGroups}`);
    return v.map((x, i) => scope(x, `${path}scopes[${i}]`));
  });
  const page = optional(s.url, (v) => url(v, `${path}url`));
  return {
    formVersion: text(s.formVersion, `${path}formVersion`, 256),
    textVersion: text(s.textVersion, `${path}textVersion`, 256),
    language: language(s.language, `${path}language`),
    action: text(s.action, `${path}action`, 64),
    purposes: names(s.purposes, `${path}purposes`, 1),
    ...(scopes === undefined ? {} : { scopes }),
    ...(page === undefined ? {} : { url: page }),
  };
}

/** `POST /v1/forms/:source/signup`. */
export function readSignUp(body: unknown): SignUpFields & FormSubmission {
  const b = object(body, 'body', ['subjectKey', ...SIGN_UP_KEYS]);
  return { subjectKey: subjectKey(b), ...signUpFields(b, '') };
}

/** `POST /v1/forms/:source/checkout`. */
export function readCheckout(body: unknown): CheckoutFields {
  const b = object(body, 'body', [
    'subjectKey',
    'formVersion',
    'textVersion',
    'language',
    'orderId',
    'saleCompleted',
    'productGroups',
    'optOutBox',
  ]);
  if (typeof b.optOutBox !== 'string' || !(OPT_OUT_BOX as readonly string[]).includes(b.optOutBox))
    throw bad(`optOutBox: one of ${OPT_OUT_BOX.join(', ')} (the opt-out box as the customer left it)`);
  const lang = optional(b.language, (v) => language(v, 'language'));
  const orderId = optional(b.orderId, (v) => text(v, 'orderId', 256));
  return {
    subjectKey: subjectKey(b),
    formVersion: text(b.formVersion, 'formVersion', 256),
    textVersion: text(b.textVersion, 'textVersion', 256),
    ...(lang === undefined ? {} : { language: lang }),
    ...(orderId === undefined ? {} : { orderId }),
    saleCompleted: bool(b.saleCompleted, 'saleCompleted'),
    productGroups: names(b.productGroups, 'productGroups', 1),
    optOutShown: b.optOutBox !== 'not-shown',
    optOutTicked: b.optOutBox === 'ticked',
  };
}

function withdrawal(value: unknown, path: string): WithdrawalScope {
  const w = object(value, path, ['all', 'purposes', 'marketing']);
  const all = optional(w.all, (v) => bool(v, `${path}.all`));
  const purposes = optional(w.purposes, (v) => names(v, `${path}.purposes`, 1));
  const marketing = optional(w.marketing, (v) => {
    const m = object(v, `${path}.marketing`, ['brands', 'channels', 'productGroups']);
    const part = {
      ...(m.brands === undefined ? {} : { brands: names(m.brands, `${path}.marketing.brands`, 1) }),
      ...(m.channels === undefined ? {} : { channels: names(m.channels, `${path}.marketing.channels`, 1) }),
      ...(m.productGroups === undefined
        ? {}
        : { productGroups: names(m.productGroups, `${path}.marketing.productGroups`, 1) }),
    };
    if (Object.keys(part).length === 0)
      throw bad(`${path}.marketing: name brands, channels or productGroups`);
    return part;
  });
  // A withdrawal that names nothing would read as "everything": make the site say so.
  if (all !== true && purposes === undefined && marketing === undefined)
    throw bad(`${path}: {all: true}, or the purposes and/or marketing scope taken back`);
  if (all === true) return { all: true };
  return {
    ...(purposes === undefined ? {} : { purposes }),
    ...(marketing === undefined ? {} : { marketing }),
  };
}

/** `POST /v1/forms/:source/preferences`. */
export function readPreferences(body: unknown): PreferenceFields {
  const b = object(body, 'body', ['subjectKey', 'formVersion', 'grants', 'withdrawals']);
  const list = (value: unknown, path: string): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length > 32) throw bad(`${path}: a list of at most 32 entries`);
    return value;
  };
  const grants = list(b.grants, 'grants').map((g, i) =>
    signUpFields(object(g, `grants[${i}]`, SIGN_UP_KEYS), `grants[${i}].`),
  );
  const withdrawals = list(b.withdrawals, 'withdrawals').map((w, i) => withdrawal(w, `withdrawals[${i}]`));
  if (grants.length + withdrawals.length === 0)
    throw bad('grants, withdrawals: at least one grant or withdrawal');
  const formVersion = optional(b.formVersion, (v) => text(v, 'formVersion', 256));
  return {
    subjectKey: subjectKey(b),
    ...(formVersion === undefined ? {} : { formVersion }),
    grants,
    withdrawals,
  };
}

/** `POST /v1/forms/:source/objection`. */
export function readObjection(body: unknown): ObjectionFields {
  const b = object(body, 'body', ['subjectKey', 'channel']);
  if (typeof b.channel !== 'string' || !(OBJECTION_CHANNELS as readonly string[]).includes(b.channel))
    throw bad(`channel: one of ${OBJECTION_CHANNELS.join(', ')}`);
  return { subjectKey: subjectKey(b), channel: b.channel };
}
