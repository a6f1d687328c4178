import { type KafkaMessage } from 'kafkajs';
import { buildDeadLetter, type OutputRecord } from '@app/kafka';
import { type ProcessResult } from '@app/policy';
import { type EngineTopics } from './engine-topics';

/** What one processed input adds to the step's counters (no personal data: names and codes only). */
export interface OutcomeTally {
  forwarded: Map<string, number>;
  withheld: Map<string, number>;
  suppressions: Map<string, number>;
  deadLetters: Map<string, number>;
  /** Figures published per aggregate (R23's anonymous counts). */
  aggregateFigures: Map<string, number>;
}

export function emptyTally(): OutcomeTally {
  return {
    forwarded: new Map(),
    withheld: new Map(),
    suppressions: new Map(),
    deadLetters: new Map(),
    aggregateFigures: new Map(),
  };
}

const inc = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

/**
 * Maps one processor result to the records the step writes: governed records on their destination
 * topics (headers from the decision core), the subject's current suppressed purposes on each
 * changed destination's compacted suppression topic, lineage records, and for bad input the dead
 * letter with the original bytes and headers. State changes are written by the task (once per key
 * per step).
 */
export function toOutputRecords(
  result: ProcessResult,
  input: { topic: string; partition: number; message: KafkaMessage },
  topics: EngineTopics,
  tally: OutcomeTally,
  out: OutputRecord[],
  /** The key's partition on a topic (the default partitioner's choice), if known. */
  place: (topic: string, key: string) => number | undefined = () => undefined,
): void {
  for (const r of result.records) {
    const topic = topics.destinations.get(r.destination) ?? r.topic;
    out.push({
      topic,
      key: r.key,
      value: JSON.stringify(r.value),
      headers: { ...r.headers },
      partition: r.key === null ? undefined : place(topic, r.key),
    });
    if (r.value.kind === 'suppression') inc(tally.suppressions, r.destination);
  }
  // In the same transaction as the suppressions: the subject's whole current set per destination
  // (compaction keeps the latest, so it must be the union, not the last suppression), or a tombstone.
  for (const s of result.suppressionStates ?? []) {
    const compacted = topics.suppressions.get(s.destination);
    if (compacted === undefined) continue;
    out.push({
      topic: compacted,
      key: s.key,
      value: s.value === null ? null : JSON.stringify(s.value),
      headers: { ...s.headers },
      partition: place(compacted, s.key),
    });
  }
  for (const l of result.lineage) {
    const key = l.subject ?? l.eventId;
    out.push({
      topic: topics.lineage,
      key,
      value: JSON.stringify(l),
      partition: key === null ? undefined : place(topics.lineage, key),
    });
  }
  // Counted from the full decisions the core took; the lineage stores their v2 digest.
  for (const d of result.decisions ?? []) {
    const name = d.destination.name;
    if (d.outcome !== 'withheld') inc(tally.forwarded, name);
    for (const a of d.attributes)
      if (a.outcome === 'withhold') inc(tally.withheld, `${name}\u0000${a.reason}`);
  }
  if (result.deadLetter !== undefined) {
    inc(tally.deadLetters, result.deadLetter.code);
    out.push(
      buildDeadLetter({
        deadLetterTopic: topics.deadLetter,
        sourceTopic: input.topic,
        sourcePartition: input.partition,
        message: input.message,
        code: result.deadLetter.code,
        reason: result.deadLetter.reason,
      }),
    );
  }
}
