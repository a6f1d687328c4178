import {
  CONSENT_EVIDENCE_TOPIC,
  CONSENT_STATE_CHANGELOG_TOPIC,
  DEAD_LETTER_TOPIC,
  LINEAGE_TOPIC,
  sourceTopic,
} from '@app/contracts';
import {
  auditTrailTopic,
  changelogTopic,
  streamTopic,
  withReplication,
  type TopicReplication,
  type TopicSpec,
} from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Every topic name the engine reads or writes, after the optional prefix (isolated test runs). */
export interface EngineTopics {
  readonly evidence: string;
  /** Source topic per declared source system. */
  readonly sources: ReadonlyMap<string, string>;
  readonly lineage: string;
  readonly deadLetter: string;
  readonly changelog: string;
  /** Destination name → topic. */
  readonly destinations: ReadonlyMap<string, string>;
  /** Input topics in merge tie-break order: evidence first, then sources by name. */
  readonly inputs: readonly string[];
  /** Identity routing: every input event keyed by its home (the key whose task holds its state). */
  readonly routed: string;
  /** Identity routing: consent state passed between decision tasks at identity links. */
  readonly handover: string;
  /** Identity routing: the router's table (alias → home), compacted. */
  readonly homes: string;
}

/** Names the topics a policy implies; `prefix` is prepended to every name (empty in production). */
export function engineTopics(policy: CompiledPolicy, prefix = ''): EngineTopics {
  const sources = new Map([...policy.sources].sort().map((s) => [s, `${prefix}${sourceTopic(s)}`]));
  const evidence = `${prefix}${CONSENT_EVIDENCE_TOPIC}`;
  return {
    evidence,
    sources,
    lineage: `${prefix}${LINEAGE_TOPIC}`,
    deadLetter: `${prefix}${DEAD_LETTER_TOPIC}`,
    changelog: `${prefix}${CONSENT_STATE_CHANGELOG_TOPIC}`,
    destinations: new Map(policy.destinations.map((d) => [d.name, `${prefix}${d.topic}`])),
    inputs: [evidence, ...sources.values()],
    routed: `${prefix}governance.routed`,
    handover: `${prefix}governance.handover`,
    homes: `${prefix}governance.identity-homes.changelog`,
  };
}

/**
 * The topics with the partitions and configs the policy implies. Inputs and the changelog share one
 * partition count: task p of the engine owns partition p of every input and of the changelog.
 * Lineage and consent evidence are the audit trail, so they are kept longer than the governed streams.
 * `replication` (the cluster's KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS) applies to
 * every topic; absent: one replica and the broker's default min.insync.replicas.
 */
export function engineTopicSpecs(
  topics: EngineTopics,
  partitions: number,
  retention: { streamMs?: number; lineageMs?: number } = {},
  replication?: TopicReplication,
): TopicSpec[] {
  const streamMs = retention.streamMs ?? WEEK_MS;
  const lineageMs = retention.lineageMs ?? 52 * WEEK_MS;
  const specs = [
    // Consent evidence is the proof of consent: kept as long as the audit trail.
    streamTopic(topics.evidence, partitions, lineageMs),
    ...[...topics.sources.values()].map((t) => streamTopic(t, partitions, streamMs)),
    changelogTopic(topics.changelog, partitions),
    // Identity routing's repartition topics: kept as long as the inputs they copy.
    streamTopic(topics.routed, partitions, streamMs),
    streamTopic(topics.handover, partitions, streamMs),
    changelogTopic(topics.homes, partitions),
    // Lineage is most of what the engine writes (about 1.3 kB per input) and is kept for a year.
    auditTrailTopic(topics.lineage, partitions, lineageMs),
    auditTrailTopic(topics.deadLetter, partitions, lineageMs),
    ...[...topics.destinations.values()].map((t) => streamTopic(t, partitions, streamMs)),
  ];
  return replication ? specs.map((s) => withReplication(s, replication)) : specs;
}
