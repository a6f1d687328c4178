import { latestPerKey } from './latest-per-key';

describe('latestPerKey', () => {
  it('keeps the last record per key, ordered by that last write, as compaction leaves a topic', () => {
    const records = [
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
      { key: 'a', n: 3 },
      { key: 'c', n: 4 },
      { key: 'b', n: 5 },
    ];
    expect(latestPerKey(records)).toEqual([
      { key: 'a', n: 3 },
      { key: 'c', n: 4 },
      { key: 'b', n: 5 },
    ]);
  });

  it('returns nothing for nothing', () => {
    expect(latestPerKey([])).toEqual([]);
  });
});
