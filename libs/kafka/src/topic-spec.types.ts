// Not a test file: `.spec.ts` is the unit-test suffix, so the topic specification types live here.
/** A topic the project needs, with the partitions and configs its role implies. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** 1 on the local single-node broker; the cluster manifests set 3. */
  readonly replicationFactor?: number;
  /** Broker topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * A changelog: compacted, so the latest value per key survives and a restarted instance restores
 * state by reading it to the end instead of replaying all history.
 */
export function changelogTopic(topic: string, numPartitions: number): TopicSpec {
  return { topic, numPartitions, configs: { 'cleanup.policy': 'compact' } };
}

/** An event stream kept for `retentionMs` (delete policy). */
export function streamTopic(topic: string, numPartitions: number, retentionMs: number): TopicSpec {
  return {
    topic,
    numPartitions,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs) },
  };
}
