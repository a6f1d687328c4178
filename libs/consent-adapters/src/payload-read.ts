/** Small strict readers for untrusted payloads: exact types, own keys only, bounded sizes. */

/** Upper bound for any single CMP payload (a TC string with many vendors stays well below it). */
export const MAX_PAYLOAD_CHARS = 16_384;

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[key]` only when it is the object's own property (never an inherited `__proto__` or `constructor`). */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Rough serialised size, bounded: stops counting once over `limit`. */
export function sizeOver(v: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') size += x.length + 2;
    else if (Array.isArray(x)) {
      size += 2 + x.length;
      // Pushed one by one, never spread: a huge array must not overflow the call's arguments.
      for (let i = 0; i < x.length && size <= limit; i += 1) stack.push(x[i]);
    } else if (isObject(x)) {
      for (const [k, val] of Object.entries(x)) {
        size += k.length + 4;
        stack.push(val);
      }
    } else size += 8;
    if (size > limit) return true;
  }
  return false;
}
