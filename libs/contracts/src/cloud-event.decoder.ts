import type { CloudEvent } from './cloud-event.types';
import type { DeadLetterReason } from './dead-letter.types';
import { isRfc3339 } from './rfc3339';

/** Result of decoding: the event, or a dead-letter reason. Never throws. */
export type DecodeResult =
  | { readonly ok: true; readonly event: CloudEvent }
  | ({ readonly ok: false } & DeadLetterReason);

/** Header value as kafkajs hands it over. */
export type HeaderValue = string | Uint8Array | readonly (string | Uint8Array)[] | undefined;

/** Longest accepted CloudEvent id. */
export const MAX_EVENT_ID_LENGTH = 256;

const twoDigits = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/**
 * True for an RFC 3339 string that `Date.parse` certainly reads (the pattern would match it too):
 * the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` with month 1-12, day 1-28, hour 0-23, minute and second
 * 0-59. Saves the pattern and a `Date.parse` per event; anything else still goes through both.
 */
function obviouslyValidTime(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(23) !== 90) return false;
  // The full canonical shape, so the RFC 3339 pattern need not run for it: digits where digits
  // go, then `-`, `-`, `T`, `:`, `:`, `.` at 4, 7, 10, 13, 16, 19 (and `Z` at 23, checked above).
  for (let i = 0; i < 23; i++) {
    const c = s.charCodeAt(i);
    const sep = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 || i === 16 ? 58 : i === 19 ? 46 : -1;
    if (sep === -1 ? c < 48 || c > 57 : c !== sep) return false;
  }
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 28 &&
    twoDigits(s, 11) <= 23 &&
    twoDigits(s, 14) <= 59 &&
    twoDigits(s, 17) <= 59
  );
}

function fail(code: DeadLetterReason['code'], reason: string): DecodeResult {
  return { ok: false, code, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Record<string, unknown>, name: string): string | null {
  const value = obj[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Checks the CloudEvents 1.0 attributes on an already parsed object. Reasons name the attribute
 * and the constraint, never the value.
 */
export function validateCloudEvent(value: unknown): DecodeResult {
  if (!isRecord(value)) return fail('invalid-envelope', 'the event is not a JSON object');
  if (value.specversion !== '1.0') return fail('invalid-envelope', 'specversion: must be "1.0"');
  const id = requireString(value, 'id');
  if (id === null) return fail('invalid-envelope', 'id: required non-empty string');
  // Ids go into every decision id, record header and lineage row (an indexed column): keep them short.
  if (id.length > MAX_EVENT_ID_LENGTH)
    return fail('invalid-envelope', `id: at most ${MAX_EVENT_ID_LENGTH} characters`);
  if (requireString(value, 'source') === null)
    return fail('invalid-envelope', 'source: required non-empty string');
  if (requireString(value, 'type') === null)
    return fail('invalid-envelope', 'type: required non-empty string');
  const time = value.time;
  if (typeof time !== 'string' || (!obviouslyValidTime(time) && !isRfc3339(time))) {
    return fail('invalid-envelope', 'time: required RFC 3339 timestamp (when the data was collected)');
  }
  if (value.subject !== undefined && typeof value.subject !== 'string') {
    return fail('invalid-envelope', 'subject: must be a string');
  }
  return { ok: true, event: value as unknown as CloudEvent };
}

/**
 * Decodes a structured-mode CloudEvent (the JSON text of the Kafka value). Never throws.
 * @param maxBytes inputs longer than this are rejected as `oversized` before parsing.
 */
export function decodeStructuredCloudEvent(input: string | Uint8Array, maxBytes = Infinity): DecodeResult {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (byteSize(input, maxBytes) > maxBytes)
    return fail('oversized', `the event exceeds the limit of ${maxBytes} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('not-json', 'the input is not valid JSON');
  }
  return validateCloudEvent(parsed);
}

/**
 * The UTF-8 size of the input, so a string (dry-run) and its bytes (the engine) meet the same
 * limit. Why the shortcuts: a string is never smaller in UTF-8 than its UTF-16 length and never
 * larger than three bytes per unit, so most events need no count at all.
 */
function byteSize(input: string | Uint8Array, maxBytes: number): number {
  if (typeof input !== 'string') return input.byteLength;
  if (input.length > maxBytes) return input.length;
  if (input.length * 3 <= maxBytes) return input.length;
  return Buffer.byteLength(input, 'utf8');
}

function headerText(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? (value as readonly (string | Uint8Array)[])[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : Buffer.from(first as Uint8Array).toString('utf8');
}

/**
 * Decodes a binary-mode CloudEvent: attributes in `ce_*` Kafka headers, `data` in the value.
 * Returns the same envelope as structured mode so the decision core sees one shape.
 */
export function decodeBinaryCloudEvent(
  headers: Readonly<Record<string, HeaderValue>>,
  value: string | Uint8Array | null,
  maxBytes = Infinity,
): DecodeResult {
  const event: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith('ce_')) continue;
    const text = headerText(raw);
    if (text !== undefined) event[name.slice(3)] = text;
  }
  const contentType = headerText(headers['content-type']);
  if (contentType !== undefined) event.datacontenttype = contentType;
  if (value !== null) {
    if (byteSize(value, maxBytes) > maxBytes)
      return fail('oversized', `the event exceeds the limit of ${maxBytes} bytes`);
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      event.data = JSON.parse(text);
    } catch {
      return fail('not-json', 'data: the value is not valid JSON');
    }
  }
  return validateCloudEvent(event);
}

/** True when Kafka headers mark the record as binary mode (a `ce_specversion` header). */
export function isBinaryModeCloudEvent(headers: Readonly<Record<string, HeaderValue>>): boolean {
  return headers['ce_specversion'] !== undefined;
}
