import { decodeRowCursor, decodeTextCursor, encodeRowCursor, encodeTextCursor } from './cursor';
import { QueryInputError } from './query-input';

const key = {
  time: '2025-01-06T08:00:00.123Z',
  topic: 'governance.lineage',
  partition: 2,
  offset: '9007199254740993',
};
const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('page cursors', () => {
  it('round-trips a row keyset, int64 offsets included', () => {
    const c = encodeRowCursor('timeline', key);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRowCursor('timeline', c)).toEqual(key);
    expect(decodeRowCursor('timeline', undefined)).toBeNull();
    expect(decodeTextCursor('recall', encodeTextCursor('recall', 'k1:abc'), 100)).toBe('k1:abc');
  });

  it.each([
    ['another query’s cursor', encodeRowCursor('citing', key)],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['too short', encode(['timeline', key.time])],
    ['an offset beyond int64', encode(['timeline', key.time, key.topic, 0, '9223372036854775808'])],
    ['a negative partition', encode(['timeline', key.time, key.topic, -1, '1'])],
    ['a time that is not one', encode(['timeline', "1' or 1=1", key.topic, 0, '1'])],
    ['an empty topic', encode(['timeline', key.time, '', 0, '1'])],
    ['an offset with SQL in it', encode(['timeline', key.time, key.topic, 0, '1; drop table x'])],
    ['too long', 'a'.repeat(5000)],
    ['not a string', 42],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeRowCursor('timeline', cursor)).toThrow(QueryInputError);
  });

  it('refuses a text cursor longer than its key may be, without quoting it', () => {
    const c = encodeTextCursor('recall', 'x'.repeat(200));
    expect(() => decodeTextCursor('recall', c, 100)).toThrow(QueryInputError);
    try {
      decodeTextCursor('recall', c, 100);
    } catch (e) {
      expect((e as Error).message).not.toContain('xxx');
    }
  });
});
