import { type KafkaMessage } from 'kafkajs';
import { type OutputRecord } from '@app/kafka';
import {
  type AggregateCounter,
  contributionOfKey,
  countKeyOf,
  type CountedFrom,
  type ProcessResult,
} from '@app/policy';
import { type EngineTopics } from './engine-topics';
import { type OutcomeTally } from './governed-output.mapper';

/**
 * R23's anonymous counts in the stream, without a stage of their own. A decision task writes each
 * counted event's contribution to the contributions topic, keyed by its count key, in its step
 * transaction; task p counts partition p of that topic in its own step transaction, together with
 * its input offsets, the figures it publishes, their lineage and its counter's changelog. Every
 * write of both sides is therefore in the transaction that commits what was read to produce it,
 * and a claim restores the counter from the changelog it committed with the offsets: exactly once
 * by the same construction as the decisions. Copies a kafkajs reader may pass on after a crash
 * (aborted contributions, see docs) are dropped by input position ({@link AggregateCounter}).
 */

/** The contributions partition of one task: what was read, from `next` on, not yet counted. */
export class CountingInbox {
  private queued: KafkaMessage[] = [];

  /** `next`: the offset after the last record read (at a claim: the committed offset). */
  constructor(public next: bigint) {}

  get size(): number {
    return this.queued.length;
  }

  /** Adds fetched records from `next` on (a refetch after a seek may repeat older ones). */
  add(messages: readonly KafkaMessage[]): void {
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset < this.next) continue;
      this.queued.push(m);
      this.next = offset + 1n;
    }
  }

  /** The oldest `max` records, left queued until {@link counted}. */
  peek(max: number): readonly KafkaMessage[] {
    return this.queued.slice(0, max);
  }

  /** The first `n` records were counted in a committed step. */
  counted(n: number): void {
    this.queued = this.queued.slice(n);
  }
}

/** The value of a contribution record: the input it came from, for dropping copies. */
interface ContributionValue {
  readonly from: string;
  readonly offset: string;
}

/**
 * The contribution records of one decided input: key = count key (which places it in the task
 * that counts it), value = where the task read the input (topic/partition and offset). The read
 * position, not the original's: only the reading task writes contributions of its partition, in
 * input order, which is what dropping copies by position needs.
 */
export function contributionRecords(
  result: ProcessResult,
  read: { readonly topic: string; readonly partition: number; readonly offset: string },
  topics: EngineTopics,
  place: (topic: string, key: string) => number | undefined,
): OutputRecord[] {
  const contributions = result.contributions ?? [];
  if (contributions.length === 0 || topics.counting === null) return [];
  const topic = topics.counting.contributions;
  const value: ContributionValue = { from: `${read.topic}/${read.partition}`, offset: read.offset };
  const text = JSON.stringify(value);
  return contributions.map((c) => {
    const key = countKeyOf(c);
    return { topic, key, value: text, partition: place(topic, key) };
  });
}

/**
 * Counts taken contribution records: the figures reached (aggregate topic and lineage) and the
 * counter's changed changelog records, as of the last record. A record that is not a contribution
 * (only the engine writes the topic) counts nothing.
 */
export function countContributions(
  counter: AggregateCounter,
  taken: readonly KafkaMessage[],
  topics: EngineTopics,
  partition: number,
  place: (topic: string, key: string) => number | undefined,
  tally: OutcomeTally,
): OutputRecord[] {
  const out: OutputRecord[] = [];
  const changed = new Set<string>();
  for (const m of taken) {
    const contribution = m.key === null ? null : contributionOfKey(m.key.toString('utf8'));
    const from = fromOf(m.value);
    if (contribution === null || from === null) continue;
    const { changed: keys, published } = counter.add(contribution, from);
    for (const k of keys) changed.add(k);
    if (published === undefined) continue;
    const { record, lineage } = published;
    const topic = topics.aggregates.get(record.aggregate);
    if (topic === undefined) continue;
    tally.aggregateFigures.set(record.aggregate, (tally.aggregateFigures.get(record.aggregate) ?? 0) + 1);
    out.push({
      topic,
      key: record.key,
      value: JSON.stringify(record.value),
      headers: { ...record.headers },
      partition: place(topic, record.key),
    });
    out.push({
      topic: topics.lineage,
      key: record.key,
      value: JSON.stringify(lineage),
      partition: place(topics.lineage, record.key),
    });
  }
  const changelog = (topics.counting as NonNullable<EngineTopics['counting']>).changelog;
  for (const key of changed) {
    const state = counter.exportState(key);
    out.push({ topic: changelog, partition, key, value: state === null ? null : JSON.stringify(state) });
  }
  return out;
}

function fromOf(value: Buffer | null): CountedFrom | null {
  try {
    const v = JSON.parse(value?.toString('utf8') ?? 'null') as Partial<ContributionValue> | null;
    if (typeof v?.from !== 'string' || typeof v.offset !== 'string' || !/^\d{1,20}$/.test(v.offset))
      return null;
    return { input: v.from, offset: BigInt(v.offset) };
  } catch {
    return null;
  }
}
