import { firstOversized, oversizedReason } from './output-size';

describe('firstOversized', () => {
  const record = (topic: string, value: string, headers: Record<string, string> = {}) => ({
    topic,
    key: 'k',
    value,
    headers,
  });

  it('finds nothing when every record fits, overhead included', () => {
    expect(firstOversized([record('a', 'x'.repeat(900)), record('b', 'y')], 1_000)).toBeUndefined();
  });

  it('counts value bytes (not characters), key and headers', () => {
    // 300 three-byte characters are 900 bytes; with the key, a 50-byte header and the overhead, over 1,000.
    const over = firstOversized(
      [record('ok', 'a'), record('lineage', '€'.repeat(300), { h: 'v'.repeat(49) })],
      1_000,
    );
    expect(over?.topic).toBe('lineage');
    expect(over?.bytes).toBeGreaterThan(1_000);
  });

  it('names the topic and the sizes in the reason, nothing of the content', () => {
    const over = firstOversized([record('governance.lineage', 'secret@example.com'.repeat(100))], 500);
    const reason = oversizedReason(over as NonNullable<typeof over>, 500);
    expect(reason).toMatch(
      /^an output record for governance\.lineage would be \d+ bytes, over the 500-byte limit$/,
    );
    expect(reason).not.toContain('secret');
  });
});
