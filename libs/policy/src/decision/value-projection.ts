import { NO_MEMBERS, type ValueShape } from '../policy-file/value-shape';

/** Most undeclared paths named per event; the rest are only counted (bounded lineage per event). */
export const MAX_LISTED_UNDECLARED = 32;

/** Undeclared content found in one payload: named (capped, deduplicated) and counted (R28). */
export interface UndeclaredPaths {
  /**
   * Paths of undeclared content, at most {@link MAX_LISTED_UNDECLARED}, built from declared names
   * only, never from a key or value of the input: `*` for undeclared top-level members, `page.*`
   * for those of the object at a declared path, `items[].*` for those of `items` elements.
   */
  readonly listed: string[];
  /** Every undeclared path or member dropped, listed or not. */
  total: number;
}

/** Names `path` (unless already named or the list is full) and counts `n` dropped items. */
export function noteUndeclared(out: UndeclaredPaths, path: string, n = 1): void {
  out.total += n;
  if (out.listed.length < MAX_LISTED_UNDECLARED && !out.listed.includes(path)) out.listed.push(path);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Projects an attribute's value onto the sub-fields its schema declares (R28): object members not
 * declared are dropped, array elements are projected by the `items` shape, scalars pass. Drops are
 * noted under the declared path of the object they were dropped from. Returns a new value when it
 * is an object or array; the input is not changed.
 */
export function projectValue(value: unknown, shape: ValueShape, path: string, out: UndeclaredPaths): unknown {
  if (Array.isArray(value)) {
    const items = shape.items ?? NO_MEMBERS;
    const at = `${path}[]`;
    return value.map((v: unknown) => projectValue(v, items, at, out));
  }
  if (!isPlainObject(value)) return value;
  const projected: Record<string, unknown> = {};
  let dropped = 0;
  for (const key of Object.keys(value)) {
    const sub = shape.properties?.get(key);
    if (sub === undefined) dropped++;
    // Declared names are never JavaScript object keys (refused at load), so assignment is safe.
    else projected[key] = projectValue(value[key], sub, `${path}.${key}`, out);
  }
  if (dropped > 0) noteUndeclared(out, `${path}.*`, dropped);
  return projected;
}
