/** Reads the `CookieConsent` cookie Cookiebot writes: a URL-encoded JavaScript object literal. */

export type CookiebotValue = string | number | boolean;

const MAX_COOKIE = 4096;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const NUMBER = /^-?\d{1,16}(?:\.\d{1,6})?$/;

/**
 * Parses `{stamp:'…',necessary:true,…,method:'explicit',ver:1,utc:1698057791350,region:'dk'}`:
 * flat, single-quoted strings without quotes inside, booleans and numbers only. Not `eval`, and
 * not JSON (the keys are unquoted). Null for anything else, including a repeated key. Never throws.
 */
export function parseCookiebotCookie(raw: string): ReadonlyMap<string, CookiebotValue> | null {
  if (raw.length > MAX_COOKIE) return null;
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  const body = text.slice(1, -1);
  const out = new Map<string, CookiebotValue>();
  // Split on commas outside quotes; a quote inside a value is refused below.
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of body) {
    if (ch === "'") quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) return null;
  parts.push(current);
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon < 0) return null;
    const key = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (!KEY.test(key) || out.has(key)) return null;
    if (value === 'true' || value === 'false') out.set(key, value === 'true');
    else if (NUMBER.test(value)) out.set(key, Number(value));
    else if (/^'[^']*'$/.test(value)) out.set(key, value.slice(1, -1));
    else return null;
  }
  return out;
}
