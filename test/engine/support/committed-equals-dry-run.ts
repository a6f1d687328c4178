import { type Kafka } from 'kafkajs';
import { type EngineTopics } from '@app/stream';
import { readCommittedUntil } from './committed-records.reader';
import { canonicalRecord, dryRun, outputTopics, POLICY_FILE, sorted } from './engine-stream.kit';

/**
 * Every destination record, lineage record and dead-letter code equals dry-run's, each exactly once.
 * Read with `readCommittedUntil` (see `readCommittedRecords` why not kafkajs read_committed), until all
 * of dry-run's count is visible and every transactional record is resolved. `policyFile`: the policy
 * the engine ran (default: the example policy). `requireAggregateFigures`: R23's counts must have
 * published at least one figure per aggregate, so a test that means to exercise them cannot pass
 * vacuously.
 */
export async function expectCommittedEqualsDryRun(
  kafka: Kafka,
  topics: EngineTopics,
  lines: readonly string[],
  policyFile: string = POLICY_FILE,
  options: { requireAggregateFigures?: boolean } = {},
): Promise<void> {
  const expected = dryRun(lines, topics, undefined, policyFile);
  const dlCount = [...expected.deadLetters.values()].reduce((n, x) => n + x, 0);
  const total =
    expected.lineage.length + dlCount + [...expected.perTopic.values()].reduce((n, l) => n + l.length, 0);
  const all = [...outputTopics(topics), topics.lineage, topics.deadLetter];
  const read = await readCommittedUntil(kafka, all, (records) => records.length >= total);
  expect(read.unresolved).toBe(0);
  const perTopic = new Map<string, string[]>(outputTopics(topics).map((t) => [t, []]));
  const lineage: string[] = [];
  const codes = new Map<string, number>();
  for (const r of read.records) {
    if (r.topic === topics.lineage) {
      const l = JSON.parse(r.value ?? 'null') as { kind: string };
      lineage.push(JSON.stringify(l.kind === 'dead-letter' ? { ...l, reason: '' } : l));
    } else if (r.topic === topics.deadLetter) {
      const code = r.headers['dlq.error.code'] ?? '';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    } else perTopic.get(r.topic)?.push(canonicalRecord(r.key, r.value, r.headers));
  }
  for (const [topic, rows] of expected.perTopic)
    expect(sorted(perTopic.get(topic) ?? [])).toEqual(sorted(rows));
  if (options.requireAggregateFigures === true)
    for (const topic of topics.aggregates.values())
      expect(expected.perTopic.get(topic)?.length ?? 0).toBeGreaterThan(0);
  expect(sorted(lineage)).toEqual(sorted(expected.lineage));
  expect(codes).toEqual(expected.deadLetters);
}
