import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { KeyPartitions } from './key-partitions';

/** What kafkajs's default partitioner (used when a record is sent without a partition) picks. */
function defaultPartitionerChoice(topic: string, partitionCount: number, key: string): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitionCount }, (_, id) => ({
    partitionErrorCode: 0,
    partitionId: id,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

const KEYS = [
  'cust-1',
  'cust-2',
  'cust-00042',
  'ps_3f9a0c1d2e',
  'cookie-7b1e',
  'evt-1',
  '',
  'æøå-Køge',
  'a'.repeat(300),
  ...Array.from({ length: 200 }, (_, i) => `subject-${i}`),
];

describe('KeyPartitions', () => {
  it.each([1, 2, 3, 6, 7, 12, 32])(
    'picks the partition kafkajs’s default partitioner picks, for %i partition(s)',
    (count) => {
      const partitions = new KeyPartitions();
      for (const key of KEYS) {
        expect({ key, partition: partitions.partitionOf('t', count, key) }).toEqual({
          key,
          partition: defaultPartitionerChoice('t', count, key),
        });
      }
    },
  );

  it('answers the same from its memo as on first sight', () => {
    const partitions = new KeyPartitions();
    const first = KEYS.map((k) => partitions.partitionOf('t', 6, k));
    const again = KEYS.map((k) => partitions.partitionOf('t', 6, k));

    expect(again).toEqual(first);
  });

  it('keeps the choices of different partition counts apart', () => {
    const partitions = new KeyPartitions();
    for (const key of KEYS) {
      expect(partitions.partitionOf('t', 3, key)).toBe(defaultPartitionerChoice('t', 3, key));
      expect(partitions.partitionOf('t', 7, key)).toBe(defaultPartitionerChoice('t', 7, key));
    }
  });

  it('still picks the default partitioner’s choice after its memo was cleared for size', () => {
    const partitions = new KeyPartitions(5);
    for (const key of KEYS) {
      expect(partitions.partitionOf('t', 12, key)).toBe(defaultPartitionerChoice('t', 12, key));
    }
  });
});
