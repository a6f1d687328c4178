import { QueryInputError } from './query-input';

/**
 * Opaque page cursors: base64url of a JSON array `[tag, ...keyset]`. The tag ties a cursor to the
 * query that issued it; decoding checks the tag, the length and the type of every key, so a
 * forged or altered cursor is refused (400), never passed to SQL as anything but typed parameters.
 */
const MAX_CURSOR_CHARS = 4096;

/** Position in the log order (time, then coordinates) used by every row listing. */
export interface RowKey {
  readonly time: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type CursorTag = 'timeline' | 'citing' | 'dead-letters' | 'recall';

export function encodeRowCursor(tag: CursorTag, key: RowKey): string {
  return Buffer.from(JSON.stringify([tag, key.time, key.topic, key.partition, key.offset])).toString(
    'base64url',
  );
}

export function encodeTextCursor(tag: CursorTag, key: string): string {
  return Buffer.from(JSON.stringify([tag, key])).toString('base64url');
}

function parts(tag: CursorTag, cursor: unknown, length: number): unknown[] {
  const bad = (): QueryInputError =>
    new QueryInputError('invalid-cursor', 'cursor', 'is not a cursor this query issued');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS) throw bad();
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(decoded) || decoded.length !== length || decoded[0] !== tag) throw bad();
  return decoded;
}

/** The keyset of a row cursor, or null when none was given. */
export function decodeRowCursor(tag: CursorTag, cursor: unknown): RowKey | null {
  if (cursor === undefined || cursor === null) return null;
  const [, time, topic, partition, offset] = parts(tag, cursor, 5);
  const bad = new QueryInputError('invalid-cursor', 'cursor', 'is not a cursor this query issued');
  if (typeof time !== 'string' || time.length > 40 || !Number.isFinite(Date.parse(time))) throw bad;
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 249) throw bad;
  if (
    typeof partition !== 'number' ||
    !Number.isInteger(partition) ||
    partition < 0 ||
    partition > 2 ** 31 - 1
  )
    throw bad;
  if (typeof offset !== 'string' || !/^\d{1,19}$/.test(offset) || BigInt(offset) > 2n ** 63n - 1n) throw bad;
  return { time: new Date(Date.parse(time)).toISOString(), topic, partition, offset };
}

/** The key of a text cursor, or null when none was given. */
export function decodeTextCursor(tag: CursorTag, cursor: unknown, maxChars: number): string | null {
  if (cursor === undefined || cursor === null) return null;
  const [, key] = parts(tag, cursor, 2);
  if (typeof key !== 'string' || key.length === 0 || key.length > maxChars)
    throw new QueryInputError('invalid-cursor', 'cursor', 'is not a cursor this query issued');
  return key;
}
