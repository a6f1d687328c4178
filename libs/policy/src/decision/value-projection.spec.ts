import { MAX_LISTED_UNDECLARED, noteUndeclared, type UndeclaredPaths } from './value-projection';

describe('noteUndeclared', () => {
  it('names each path once, at most MAX_LISTED_UNDECLARED of them, and counts every drop', () => {
    const out: UndeclaredPaths = { listed: [], total: 0 };
    for (let i = 0; i < 100; i++) noteUndeclared(out, `a${i}.*`, 2);
    noteUndeclared(out, 'a0.*');
    expect(out.listed).toHaveLength(MAX_LISTED_UNDECLARED);
    expect(out.listed[0]).toBe('a0.*');
    expect(out.total).toBe(201);
  });
});
