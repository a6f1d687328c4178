import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { type LineageRecord } from '@app/contracts';
import { LineageQueries, LineageSink, type LineageRow, QueryInputError } from '@app/audit-store';
import { figuresFromDryRun, replayLines } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { type GovernedStream } from '@app/stream';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import {
  dryRun,
  PSEUDONYM_KEYS,
  produceLines,
  startTestEngine,
  testKafka,
  uniquePrefix,
} from '../../../test/engine/support/engine-stream.kit';
import { provideMigratedStore, type StoreUnderTest } from './support/audit-store.kit';
import { canonical, examplePolicy, reliedOn, rendered, streamLineage } from './support/lineage-expectations';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const blankDeadLetter = (r: LineageRecord | null): unknown =>
  r?.kind === 'dead-letter' ? { ...r, reason: '' } : r;
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** Polls until `done` holds or the bound passes; returns the last value either way. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 150_000): Promise<T> {
  let v = await read();
  for (let waited = 0; !done(v) && waited < ms; waited += 500) {
    await sleep(500);
    v = await read();
  }
  return v;
}

// The real engine decides a generated stream; the sink stores its lineage; the store must hold
// exactly dry-run's lineage, figures and answers, also after consuming the topics a second time.
describe('lineage sink and queries on the engine’s lineage', () => {
  let broker: KafkaUnderTest;
  let store: StoreUnderTest;
  let engine: GovernedStream;
  let kafka: Kafka;
  let expected: LineageRecord[];
  let lines: string[];
  let prefix: string;
  const sinks: LineageSink[] = [];
  const { policy, text } = examplePolicy();
  const count = async (sql: string): Promise<number> =>
    Number((await store.pool.query<{ n: string }>(`select count(*)::text as n from (${sql}) x`)).rows[0]?.n);
  const startSink = async (groupId: string): Promise<LineageSink> => {
    const sink = new LineageSink({
      kafka: { brokers: broker.brokers, clientId: `audit-sink-test-${groupId}` },
      pool: store.pool,
      groupId,
      topicPrefix: prefix,
      retentionDays: 36500,
    });
    sinks.push(sink);
    await sink.start();
    return sink;
  };

  beforeAll(async () => {
    broker = await provideKafka();
    store = await provideMigratedStore();
    prefix = uniquePrefix('audit');
    engine = await startTestEngine(broker.brokers, prefix, { maxStepRecords: 200 });
    lines = generateEventStream({ seed: 5, customers: 60 });
    kafka = testKafka(broker.brokers);
    await produceLines(kafka, engine.topics, lines);
    expected = streamLineage(dryRun(lines, engine.topics).lineage);
  });

  afterAll(async () => {
    for (const s of sinks) await s.stop();
    await engine?.stop();
    await store?.close();
    await broker?.stop();
  });

  it('stores every lineage record exactly once, and the policy version’s text', async () => {
    await startSink(`audit-${randomUUID().slice(0, 8)}`);
    const stored = await until(
      () => count('select 1 from audit_lineage'),
      (n) => n >= expected.length,
    );
    await sleep(2000); // anything beyond the expected count would show now
    expect(await count('select 1 from audit_lineage')).toBe(expected.length);
    expect(stored).toBe(expected.length);
    const { rows } = await store.pool.query<{ record: LineageRecord }>(`select record from audit_lineage`);
    expect(sorted(rows.map((r) => canonical(blankDeadLetter(r.record))))).toEqual(
      sorted(expected.map((r) => canonical(blankDeadLetter(r)))),
    );
    const version = await new LineageQueries(store.pool).policyVersion(policy.version);
    expect(version?.policyText).toBe(text);
    expect(await count(`select 1 from audit_lineage where stats_pending or kind = 'unreadable'`)).toBe(0);
  });

  it('keeps the daily figures dry-run gives: forwarded, withheld by reason, suppressions, dead letters', async () => {
    const { results } = replayLines(policy, `${lines.join('\n')}\n`, { pseudonymKeys: PSEUDONYM_KEYS });
    const want = figuresFromDryRun(
      policy,
      results.map((r) => r.result),
    );
    const { rows } = await store.pool.query<{
      metric: string;
      destination: string;
      reason: string;
      n: string;
    }>(`select metric, destination, reason, sum(count)::text as n from audit_daily_stat group by 1, 2, 3`);
    // dry-run reports every declared aggregate, with 0 when it published no figure.
    const got = new Map<string, number>(policy.aggregates.map((a) => [`aggregate figures ${a.name}`, 0]));
    for (const r of rows) {
      const key =
        r.metric === 'forwarded'
          ? `forwarded ${r.destination}`
          : r.metric === 'withheld'
            ? `withheld ${r.destination} ${r.reason}`
            : r.metric === 'suppression'
              ? `suppressions ${r.destination}`
              : r.metric === 'aggregate-figure'
                ? `aggregate figures ${r.destination}`
                : `dead letters ${r.reason}`;
      got.set(key, Number(r.n));
    }
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...want].sort()));
  });

  it('answers the timeline, an event’s records, an evidence id, a recall and the access export', async () => {
    const q = new LineageQueries(store.pool);
    const bySubject = new Map<string, LineageRecord[]>();
    for (const r of expected)
      if (r.subject !== null) bySubject.set(r.subject, [...(bySubject.get(r.subject) ?? []), r]);
    const [subject, records] = [...bySubject].sort((a, b) => b[1].length - a[1].length)[0] as [
      string,
      LineageRecord[],
    ];
    const timeline: LineageRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await q.subjectTimeline({ subjects: [subject], limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      timeline.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(sorted(timeline.map((r) => canonical(r.record)))).toEqual(
      sorted(records.map((r) => canonical(r))),
    );
    const times = timeline.map((r) => r.time);
    expect(times).toEqual([...times].sort());

    const decision =
      records.find((r) => r.kind === 'decision' && (r.evidence?.length ?? 0) > 0) ?? records[0];
    const eventId = decision?.eventId as string;
    const forEvent = await q.recordsForEvent(eventId);
    expect(sorted(forEvent.map((r) => canonical(blankDeadLetter(r.record))))).toEqual(
      sorted(expected.filter((r) => r.eventId === eventId).map((r) => canonical(blankDeadLetter(r)))),
    );

    const assessment = expected.find((r) => r.kind === 'consent-assessment' && r.formVersion !== undefined);
    if (assessment?.kind !== 'consent-assessment')
      throw new Error('the sample has consent on a form version');
    const evidence = await q.evidence(assessment.evidenceId, { limit: 500 });
    expect(canonical(evidence.assessment?.record)).toBe(canonical(assessment));
    const citing = expected.filter(
      (r) =>
        r !== assessment &&
        ((r.kind === 'decision' && (r.evidence ?? []).includes(assessment.evidenceId)) ||
          (r.kind === 'suppression' && r.evidenceId === assessment.evidenceId) ||
          (r.kind === 'consent-assessment' && r.confirms === assessment.evidenceId)),
    );
    expect(sorted(evidence.citing.items.map((r) => canonical(r.record)))).toEqual(
      sorted(citing.map((r) => canonical(r))),
    );

    const formVersion = assessment.formVersion as string;
    const onVersion = new Set(
      expected.flatMap((r) =>
        r.kind === 'consent-assessment' && r.formVersion === formVersion ? [r.evidenceId] : [],
      ),
    );
    const perDestination = new Map<string, Set<string>>();
    for (const d of rendered(policy, expected))
      if (reliedOn(d, onVersion))
        perDestination.set(d.destination, (perDestination.get(d.destination) ?? new Set()).add(d.subject));
    const recall = await q.recallByFormVersion(formVersion, { limit: 500 });
    expect(recall.evidence).toBe(onVersion.size);
    expect(Object.fromEntries(recall.perDestination.map((d) => [d.destination, d.subjects]))).toEqual(
      Object.fromEntries([...perDestination].map(([k, v]) => [k, v.size])),
    );
    expect(recall.perDestination.length).toBeGreaterThan(0);

    const exported = await q.accessExport([subject]);
    const recipients = new Set(
      rendered(policy, records)
        .filter((d) => d.outcome !== 'withheld')
        .map((d) => d.destination),
    );
    expect(exported.recipients.map((r) => r.destination).sort()).toEqual([...recipients].sort());
    const paths = new Set(
      records.flatMap((r) => (r.kind === 'decision' ? r.paths.map((p) => `${r.source} ${p}`) : [])),
    );
    expect(exported.pathsBySource.map((p) => `${p.source} ${p.path}`).sort()).toEqual([...paths].sort());
  });

  it('refuses hostile and oversized parameters, or answers them harmlessly', async () => {
    const q = new LineageQueries(store.pool);
    const before = await count('select 1 from audit_lineage');
    const injection = `x' or '1'='1'; drop table audit_lineage; --`;
    const huge = 'a'.repeat(100_000);
    const refused = async (call: () => Promise<unknown>): Promise<void> => {
      await expect(call()).rejects.toBeInstanceOf(QueryInputError);
    };
    expect((await q.subjectTimeline({ subjects: [injection] })).items).toEqual([]);
    expect(await q.recordsForEvent(injection)).toEqual([]);
    expect((await q.evidence(injection)).assessment).toBeNull();
    expect((await q.recallByFormVersion(injection)).evidence).toBe(0);
    expect(await q.policyVersion(injection)).toBeNull();
    expect((await q.deadLetters({ code: injection })).items).toEqual([]);
    expect(await q.dailyStatistics({ from: '2025-01-01', to: '2025-12-31', destination: injection })).toEqual(
      [],
    );
    expect((await q.accessExport([injection])).recipients).toEqual([]);
    await refused(() => q.subjectTimeline({ subjects: [huge] }));
    await refused(() => q.subjectTimeline({ subjects: Array.from({ length: 1000 }, (_, i) => `s${i}`) }));
    await refused(() => q.subjectTimeline({ subjects: [] }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], limit: 1_000_000 }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], limit: 0 }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], from: injection }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], from: '2025-02-01', to: '2025-01-01' }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], kinds: [injection as 'decision'] }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], cursor: injection }));
    await refused(() => q.subjectTimeline({ subjects: ['a'], cursor: huge }));
    const forged = Buffer.from(JSON.stringify(['timeline', injection, 't', 0, '1'])).toString('base64url');
    await refused(() => q.subjectTimeline({ subjects: ['a'], cursor: forged }));
    const otherQuery = Buffer.from(
      JSON.stringify(['citing', '2025-01-01T00:00:00.000Z', 't', 0, '1']),
    ).toString('base64url');
    await refused(() => q.subjectTimeline({ subjects: ['a'], cursor: otherQuery }));
    await refused(() => q.recordsForEvent(huge));
    await refused(() => q.recordsForEvent(''));
    await refused(() => q.evidence(huge));
    await refused(() => q.evidence('e', { cursor: 'not a cursor!' }));
    await refused(() => q.recallByFormVersion(huge));
    await refused(() => q.recallByFormVersion('v', { cursor: forged }));
    await refused(() => q.policyVersion(huge));
    await refused(() => q.deadLetters({ code: huge }));
    await refused(() => q.dailyStatistics({ from: '2020-01-01', to: '2026-01-01' }));
    await refused(() => q.dailyStatistics({ from: injection, to: '2026-01-01' }));
    await refused(() => q.deadLettersByCode({ from: '2025-01-01', to: injection }));
    await refused(() => q.accessExport([huge]));
    await refused(() => q.recordsForEvent('a\u0000b'));
    expect(await count('select 1 from audit_lineage')).toBe(before);
  });

  it('stores nothing twice when the topics are consumed again from the start', async () => {
    for (const s of sinks.splice(0)) await s.stop();
    await engine.stop();
    const rows = await count('select 1 from audit_lineage');
    const stats = (await store.pool.query(`select * from audit_daily_stat order by 1, 2, 3, 4`)).rows;
    await store.pool.query(`delete from audit_sink_offset`);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(engine.topics.lineage);
    await admin.disconnect();
    const sink = await startSink(`audit-replay-${randomUUID().slice(0, 8)}`);
    const caughtUp = async (): Promise<boolean> => {
      const { rows: stored } = await store.pool.query<{ partition: number; next_offset: string }>(
        `select partition, next_offset::text as next_offset from audit_sink_offset where topic = $1`,
        [engine.topics.lineage],
      );
      // The last record of the topic is a transaction marker: everything before it is read.
      return ends.every((e) =>
        stored.some((s) => s.partition === e.partition && BigInt(s.next_offset) >= BigInt(e.high) - 1n),
      );
    };
    expect(await until(caughtUp, (done) => done)).toBe(true);
    expect(await count('select 1 from audit_lineage')).toBe(rows);
    expect((await store.pool.query(`select * from audit_daily_stat order by 1, 2, 3, 4`)).rows).toEqual(
      stats,
    );
    const replayed = await sink.metrics.registry.getSingleMetric('audit_sink_records_replayed_total')?.get();
    expect(replayed?.values[0]?.value).toBe(rows);
  });
});
