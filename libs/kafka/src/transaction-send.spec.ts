import { chunkRecords, topicMessages } from './transaction-send';
import { type OutputRecord } from './output-record.types';

const record = (topic: string, bytes: number, partition?: number): OutputRecord => ({
  topic,
  key: 'k',
  value: 'x'.repeat(bytes),
  partition,
});

const valueBytes = (records: readonly OutputRecord[]): number =>
  records.reduce((n, r) => n + (r.value as string).length, 0);

describe('chunkRecords', () => {
  it('keeps records in order and every topic under the limit when partitions are not known', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i % 2 ? 'a' : 'b', 100_000));
    const chunks = chunkRecords(records, 512 * 1024);
    expect(chunks.flat()).toEqual(records);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      for (const topic of ['a', 'b'])
        expect(valueBytes(chunk.filter((r) => r.topic === topic))).toBeLessThanOrEqual(512 * 1024);
  });

  it('limits each partition batch, not the whole request', () => {
    // 3 partitions × 4 records of 100 kB: one request, each batch 400 kB.
    const records = Array.from({ length: 12 }, (_, i) => record('lineage', 100_000, i % 3));
    expect(chunkRecords(records, 512 * 1024)).toEqual([records]);
    // 6 records per partition exceed 512 kB per batch: two requests.
    const more = Array.from({ length: 18 }, (_, i) => record('lineage', 100_000, i % 3));
    const chunks = chunkRecords(more, 512 * 1024);
    expect(chunks.flat()).toEqual(more);
    expect(chunks.length).toBe(2);
    for (const chunk of chunks)
      for (const p of [0, 1, 2])
        expect(valueBytes(chunk.filter((r) => r.partition === p))).toBeLessThanOrEqual(512 * 1024);
  });

  it('counts records without a partition as joining any partition of their topic', () => {
    // 300 kB placed in partition 0, then 300 kB unplaced: together they could exceed 512 kB.
    const chunks = chunkRecords([record('t', 300_000, 0), record('t', 300_000)], 512 * 1024);
    expect(chunks.length).toBe(2);
    // Other topics are independent batches.
    expect(chunkRecords([record('t', 300_000, 0), record('u', 300_000)], 512 * 1024).length).toBe(1);
  });

  it('caps the whole request', () => {
    const records = Array.from({ length: 10 }, (_, p) => record('t', 100_000, p));
    const chunks = chunkRecords(records, 512 * 1024, 450_000);
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 2]);
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
