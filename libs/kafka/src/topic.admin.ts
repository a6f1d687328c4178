import { type Admin } from 'kafkajs';
import { type TopicSpec } from './topic-spec.types';
import { waitForTopicLeaders } from './topic-leaders.wait';

/** A topic that exists with another partition count than its spec asks for. */
export interface PartitionCountMismatch {
  readonly topic: string;
  readonly expected: number;
  readonly actual: number;
}

/** What `ensureTopics` did. Mismatches are reported, never "fixed": see {@link ensureTopics}. */
export interface EnsureTopicsReport {
  readonly created: readonly string[];
  readonly alreadyPresent: readonly string[];
  readonly partitionMismatches: readonly PartitionCountMismatch[];
}

/** Thrown by {@link assertTopicsMatch}; the message names every topic and what to do. */
export class TopicPartitionMismatchError extends Error {
  constructor(readonly mismatches: readonly PartitionCountMismatch[]) {
    super(
      'Topics exist with another partition count than the policy implies: ' +
        mismatches.map((m) => `${m.topic} has ${m.actual}, expected ${m.expected}`).join('; ') +
        '. Keyed state and changelogs are partitioned by key, so recreate these topics (or change the ' +
        'policy) before starting; partitions are not added automatically because that would move keys.',
    );
    this.name = 'TopicPartitionMismatchError';
  }
}

/**
 * Creates the topics that do not exist yet, with their partitions and configs, and reports the
 * existing ones whose partition count differs. Existing topics' configs are left alone (changing
 * retention or compaction of live data is an operator's decision).
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<EnsureTopicsReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  const present = specs.filter((s) => existing.has(s.topic));

  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions,
        replicationFactor: s.replicationFactor ?? 1,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForTopicLeaders(
      admin,
      missing.map((s) => s.topic),
    );
  }

  const partitionMismatches: PartitionCountMismatch[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
    for (const spec of present) {
      const actual = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
      if (actual !== spec.numPartitions) {
        partitionMismatches.push({ topic: spec.topic, expected: spec.numPartitions, actual });
      }
    }
  }

  return {
    created: missing.map((s) => s.topic),
    alreadyPresent: present.map((s) => s.topic),
    partitionMismatches,
  };
}

/** Throws {@link TopicPartitionMismatchError} when the report has any partition-count mismatch. */
export function assertTopicsMatch(report: EnsureTopicsReport): void {
  if (report.partitionMismatches.length > 0)
    throw new TopicPartitionMismatchError(report.partitionMismatches);
}
