import {
  AGGREGATE_CHANGELOG_TOPIC,
  AGGREGATE_CONTRIBUTIONS_TOPIC,
  CONSENT_STATE_CHANGELOG_TOPIC,
  DEAD_LETTER_TOPIC,
  LINEAGE_TOPIC,
  POLICY_VERSIONS_TOPIC,
} from '@app/contracts';
import {
  auditTrailTopic,
  changelogTopic,
  compactedForeverTopic,
  streamTopic,
  withReplication,
  type TopicReplication,
  type TopicSpec,
} from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';

const WEEK_MS = 7 * 24 * 3600 * 1000;
/** A policy file may be 1 MiB (MAX_POLICY_BYTES); its record must fit whole. */
const POLICY_RECORD_BYTES = 2 * 1024 * 1024;

/** Compacted, one partition (versions in publication order), room for the largest policy text. */
function policyVersionsTopic(topic: string): TopicSpec {
  const spec = compactedForeverTopic(topic, 1);
  return { ...spec, configs: { ...spec.configs, 'max.message.bytes': String(POLICY_RECORD_BYTES) } };
}
/**
 * The release topic: keyed by subject key, compacted (a later release of a key supersedes an
 * earlier one: its position is larger) and deleted after the streams' retention (a router down
 * longer than that misses releases, and keeps those groups: it fails closed).
 */
function releasesTopic(topic: string, partitions: number, retentionMs: number): TopicSpec {
  return {
    topic,
    numPartitions: partitions,
    configs: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs) },
  };
}

/** Kafka's longest topic name. */
const MAX_TOPIC_NAME = 249;

/** The compacted suppression topic beside a destination topic: `<destination topic>.suppressions`. */
export function suppressionTopicOf(destinationTopic: string): string {
  return `${destinationTopic}.suppressions`;
}

/** Every topic name the engine reads or writes, after the optional prefix (isolated test runs). */
export interface EngineTopics {
  readonly evidence: string;
  /** Source topic per declared source system. */
  readonly sources: ReadonlyMap<string, string>;
  readonly lineage: string;
  /** The text of each policy version enforced, keyed by version (compacted, one partition). */
  readonly policyVersions: string;
  readonly deadLetter: string;
  readonly changelog: string;
  /** Destination name → topic. */
  readonly destinations: ReadonlyMap<string, string>;
  /**
   * Destination name → its compacted suppression topic: each subject key's current suppressed purposes, kept
   * without time limit so a destination that was down longer than its topic's retention still
   * learns of every subject it must stop using.
   */
  readonly suppressions: ReadonlyMap<string, string>;
  /** Input topics in merge tie-break order: evidence first, then sources by name. */
  readonly inputs: readonly string[];
  /**
   * Input topic → its name as the policy declares it (without the prefix): what the decision core
   * is told an event was read from, so it checks the event against the topic's declaration.
   */
  readonly policyTopicOf: ReadonlyMap<string, string>;
  /** Identity routing: every input event keyed by its home (the key whose task holds its state). */
  readonly routed: string;
  /** Identity routing: consent state passed between decision tasks at identity links. */
  readonly handover: string;
  /** Identity routing: the router's table (alias → home), compacted. */
  readonly homes: string;
  /** Identity routing: keys whose state a task forgot, for the router to shrink its table. */
  readonly releases: string;
  /** Aggregate name → its topic (R23's anonymous counts); empty when the policy declares none. */
  readonly aggregates: ReadonlyMap<string, string>;
  /**
   * With aggregates: the counted events' contributions, keyed by count key (task p counts the keys
   * of partition p), and the counting state's changelog (task p → p). Null: no aggregates.
   */
  readonly counting: { readonly contributions: string; readonly changelog: string } | null;
}

/** Names the topics a policy implies; `prefix` is prepended to every name (empty in production). */
export function engineTopics(policy: CompiledPolicy, prefix = ''): EngineTopics {
  const sources = new Map(
    [...policy.sourceTopics]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([s, t]) => [s, `${prefix}${t}`]),
  );
  const evidence = `${prefix}${policy.evidenceTopic}`;
  const destinations = new Map(policy.destinations.map((d) => [d.name, `${prefix}${d.topic}`]));
  const topics: EngineTopics = {
    evidence,
    sources,
    lineage: `${prefix}${LINEAGE_TOPIC}`,
    policyVersions: `${prefix}${POLICY_VERSIONS_TOPIC}`,
    deadLetter: `${prefix}${DEAD_LETTER_TOPIC}`,
    changelog: `${prefix}${CONSENT_STATE_CHANGELOG_TOPIC}`,
    destinations,
    suppressions: new Map([...destinations].map(([name, topic]) => [name, suppressionTopicOf(topic)])),
    inputs: [evidence, ...sources.values()],
    policyTopicOf: new Map([...policy.inputTopics.keys()].map((t) => [`${prefix}${t}`, t])),
    routed: `${prefix}governance.routed`,
    handover: `${prefix}governance.handover`,
    homes: `${prefix}governance.identity-homes.changelog`,
    releases: `${prefix}governance.identity-releases`,
    aggregates: new Map(policy.aggregates.map((a) => [a.name, `${prefix}${a.topic}`])),
    counting:
      policy.aggregates.length === 0
        ? null
        : {
            contributions: `${prefix}${AGGREGATE_CONTRIBUTIONS_TOPIC}`,
            changelog: `${prefix}${AGGREGATE_CHANGELOG_TOPIC}`,
          },
  };
  checkSuppressionTopics(topics);
  return topics;
}

/**
 * A suppression topic is named after its destination's topic, so a policy could make it collide
 * with another topic (a destination whose `topic` is `governed.crm.suppressions`) or exceed Kafka's
 * name length. Either would mix suppressions into another stream or fail every step, so refuse.
 */
function checkSuppressionTopics(topics: EngineTopics): void {
  const others = new Set<string>([
    topics.evidence,
    ...topics.sources.values(),
    topics.lineage,
    topics.policyVersions,
    topics.deadLetter,
    topics.changelog,
    ...topics.destinations.values(),
    topics.routed,
    topics.handover,
    topics.homes,
    topics.releases,
    ...topics.aggregates.values(),
    ...(topics.counting === null ? [] : [topics.counting.contributions, topics.counting.changelog]),
  ]);
  const seen = new Set<string>();
  for (const [name, topic] of topics.suppressions) {
    if (topic.length > MAX_TOPIC_NAME)
      throw new Error(
        `destination ${name}: its suppression topic name would exceed ${MAX_TOPIC_NAME} characters`,
      );
    if (others.has(topic) || seen.has(topic))
      throw new Error(
        `destination ${name}: its suppression topic ${topic} is also another topic of the engine`,
      );
    seen.add(topic);
  }
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
    releasesTopic(topics.releases, partitions, streamMs),
    // Lineage is the audit trail (one v2 record per input and more per consent) and is kept for a year.
    auditTrailTopic(topics.lineage, partitions, lineageMs),
    auditTrailTopic(topics.deadLetter, partitions, lineageMs),
    // Every version's text, never expired: lineage names its version and is rendered against it.
    policyVersionsTopic(topics.policyVersions),
    ...[...topics.destinations.values()].map((t) => streamTopic(t, partitions, streamMs)),
    // Each subject's current suppressed purposes, never expired: outlives a destination's downtime.
    ...[...topics.suppressions.values()].map((t) => compactedForeverTopic(t, partitions)),
    // R23's counts: the latest figure per key is what a consumer needs, kept without time limit.
    ...[...topics.aggregates.values()].map((t) => compactedForeverTopic(t, partitions)),
    // Co-partitioned with the inputs: task p counts partition p's keys, its state in changelog p.
    ...(topics.counting === null
      ? []
      : [
          streamTopic(topics.counting.contributions, partitions, streamMs),
          changelogTopic(topics.counting.changelog, partitions),
        ]),
  ];
  return replication ? specs.map((s) => withReplication(s, replication)) : specs;
}
