import { ApiError } from './api-error';

/** Largest page any list returns, and the default. */
export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** One page of a list and the cursor of the next (null: this was the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * Cursors are opaque to callers: base64url of the last position served. A position is a decimal
 * sequence or a key chosen by the list (printable ASCII); each list checks its own keys, and never
 * passes one to SQL as anything but typed parameters.
 */
const POSITION = /^[\x21-\x7e]{1,400}$/;

export function encodeCursor(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!POSITION.test(position) || encodeCursor(position) !== cursor)
    throw new ApiError('invalid-cursor', 'cursor must be a nextCursor returned by this list, unchanged');
  return position;
}

/** A page from `limit + 1` rows fetched: the extra row only says that there is a next page. */
export function pageOf<T>(rows: readonly T[], limit: number, positionOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
