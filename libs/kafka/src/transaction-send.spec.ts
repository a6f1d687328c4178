import { chunkRecords, topicMessages } from './transaction-send';
import { type OutputRecord } from './output-record.types';

const record = (topic: string, bytes: number): OutputRecord => ({
  topic,
  key: 'k',
  value: 'x'.repeat(bytes),
});

describe('chunkRecords', () => {
  it('keeps records in order and every chunk under the limit', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i % 2 ? 'a' : 'b', 100_000));
    const chunks = chunkRecords(records, 512 * 1024);
    expect(chunks.flat()).toEqual(records);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.reduce((n, r) => n + (r.value as string).length, 0)).toBeLessThanOrEqual(512 * 1024);
  });

  it('sends a single record larger than the limit on its own', () => {
    const chunks = chunkRecords([record('a', 10), record('a', 2_000_000), record('a', 10)], 1000);
    expect(chunks.map((c) => c.length)).toEqual([1, 1, 1]);
  });

  it('counts multi-byte characters as bytes', () => {
    const chunks = chunkRecords([record('a', 0), { topic: 'a', key: null, value: 'æ'.repeat(400) }], 700);
    expect(chunks.length).toBe(2);
  });
});

describe('topicMessages', () => {
  it('groups by topic and keeps the order within each topic', () => {
    const grouped = topicMessages([record('a', 1), record('b', 2), record('a', 3)]);
    expect(grouped.map((g) => [g.topic, g.messages.map((m) => (m.value as string).length)])).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
  });
});
