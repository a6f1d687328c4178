import { Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * The partition kafkajs's default partitioner (murmur2 of the key, as the Java client) picks for a
 * key, memoised: the engine writes several records per input under the same few keys (a subject's
 * destination records, lineage), and murmur2 in JavaScript is a visible share of a step. Records
 * sent with this partition land exactly where the partitioner would have put them.
 */
export class KeyPartitions {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly byCount = new Map<number, { metadata: PartitionMetadata[]; keys: Map<string, number> }>();

  constructor(private readonly maxKeysPerCount = 200_000) {}

  partitionOf(topic: string, partitionCount: number, key: string): number {
    let entry = this.byCount.get(partitionCount);
    if (!entry) {
      const metadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      }));
      this.byCount.set(partitionCount, (entry = { metadata, keys: new Map() }));
    }
    let partition = entry.keys.get(key);
    if (partition === undefined) {
      partition = this.partitioner({
        topic,
        partitionMetadata: entry.metadata,
        message: { key, value: null },
      });
      if (entry.keys.size >= this.maxKeysPerCount) entry.keys.clear();
      entry.keys.set(key, partition);
    }
    return partition;
  }
}
