// Not a test file: `.spec.ts` is the unit-test suffix, so the topic specification types live here.
/** A topic the project needs, with the partitions and configs its role implies. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Absent: 1 (the local single-node broker). Set through {@link withReplication}. */
  readonly replicationFactor?: number;
  /** Broker topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** How many copies of each partition a cluster keeps, and how many must have a write. */
export interface TopicReplication {
  readonly replicationFactor: number;
  /**
   * `min.insync.replicas`: with `acks=all` (every idempotent and transactional producer) a write
   * succeeds only once this many replicas have it. At most the replication factor.
   */
  readonly minInsyncReplicas: number;
}

/** The spec with the cluster's replication: factor and `min.insync.replicas` on every topic. */
export function withReplication(spec: TopicSpec, replication: TopicReplication): TopicSpec {
  const { replicationFactor, minInsyncReplicas } = replication;
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1)
    throw new Error(`Topic replication: the replication factor must be a positive integer`);
  if (!Number.isInteger(minInsyncReplicas) || minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor)
    throw new Error(`Topic replication: min.insync.replicas must be between 1 and the replication factor`);
  return {
    ...spec,
    replicationFactor,
    configs: { ...spec.configs, 'min.insync.replicas': String(minInsyncReplicas) },
  };
}

/**
 * A changelog: compacted, so the latest value per key survives and a restarted instance restores
 * state by reading it to the end instead of replaying all history.
 */
export function changelogTopic(topic: string, numPartitions: number): TopicSpec {
  return { topic, numPartitions, configs: { 'cleanup.policy': 'compact' } };
}

/**
 * A latest-value-per-key topic that must never lose a key to time: compacted, and `retention.ms=-1`
 * stated explicitly so that switching it to `compact,delete` later would still not expire anything.
 * Used for the suppressions a destination must honour however long it was down.
 */
export function compactedForeverTopic(topic: string, numPartitions: number): TopicSpec {
  return { topic, numPartitions, configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1' } };
}

/** An event stream kept for `retentionMs` (delete policy). */
export function streamTopic(topic: string, numPartitions: number, retentionMs: number): TopicSpec {
  return {
    topic,
    numPartitions,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs) },
  };
}

/**
 * An audit-trail stream (lineage, dead letters): kept long, written once, read rarely, so the broker
 * stores it gzip-compressed. The broker recompresses each batch on append, on its own threads:
 * producers send plain batches and consumers decompress transparently. Measured with bench:engine
 * (202,377 events): lineage on disk 238 MB → 17 MB, engine throughput unchanged within noise.
 * gzip rather than zstd or lz4 because every client reads it without a codec plugin (kafkajs has
 * only gzip built in).
 */
export function auditTrailTopic(topic: string, numPartitions: number, retentionMs: number): TopicSpec {
  const stream = streamTopic(topic, numPartitions, retentionMs);
  return { ...stream, configs: { ...stream.configs, 'compression.type': 'gzip' } };
}
