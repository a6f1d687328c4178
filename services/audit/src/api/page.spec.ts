import { ApiError } from './api-error';
import { decodeCursor, encodeCursor, pageOf } from './page';

describe('cursor pages', () => {
  it('round-trips a position and refuses anything it did not issue', () => {
    const position = '2025-01-01T00:00:00.000000Z|0|42|governance.lineage';
    expect(decodeCursor(encodeCursor(position))).toBe(position);
    expect(decodeCursor(undefined)).toBeUndefined();
    for (const bad of [
      '',
      '!!!',
      encodeCursor('a b'),
      `${encodeCursor(position)}=`,
      Buffer.from('\u0000').toString('base64url'),
    ])
      expect(() => decodeCursor(bad)).toThrow(ApiError);
  });

  it('takes limit + 1 rows to say whether there is a next page', () => {
    expect(pageOf([1, 2, 3], 2, String)).toEqual({ items: [1, 2], nextCursor: encodeCursor('2') });
    expect(pageOf([1, 2], 2, String)).toEqual({ items: [1, 2], nextCursor: null });
    expect(pageOf([], 2, String)).toEqual({ items: [], nextCursor: null });
  });
});
