import { ConfigResourceTypes } from 'kafkajs';
import { consumeUntil } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { latestPerKey } from '@app/stream';
import { canonicalRecord, dryRun, streamsUnderTest } from './support/engine-stream.kit';

interface SampleEvent {
  id: string;
  time: string;
  subject: string;
  type: string;
  data: { kind?: string; evidenceId?: string; timestamp?: string; subject?: { key: string } };
}

/**
 * The generated stream gives each subject at most one suppression, so "latest" would not be tested:
 * append, after everything else, a second objection for every subject that withdrew or objected.
 */
function withRepeatedSuppressions(lines: string[]): string[] {
  // The sample holds deliberately broken lines too: only well-formed evidence is repeated.
  const events = lines.flatMap((l) => {
    try {
      const e = JSON.parse(l) as SampleEvent;
      return typeof e?.time === 'string' && typeof e.data === 'object' && e.data !== null ? [e] : [];
    } catch {
      return [];
    }
  });
  const last = Math.max(...events.map((e) => Date.parse(e.time)).filter((t) => !Number.isNaN(t)));
  const again = events
    .filter(
      (e) => e.type === 'consent.evidence' && (e.data.kind === 'withdrawal' || e.data.kind === 'objection'),
    )
    .map((e, i) => {
      const time = new Date(last + 60_000 * (i + 1)).toISOString();
      return JSON.stringify({
        ...e,
        id: `${e.id}-again`,
        time,
        data: {
          ...e.data,
          kind: 'objection',
          purposes: [],
          evidenceId: `${e.data.evidenceId}-again`,
          timestamp: time,
        },
      });
    });
  return [...lines, ...again];
}

describe('the compacted suppression topic of each destination', () => {
  const streams = streamsUnderTest();

  it('is compacted without time limit and holds exactly dry-run’s latest suppression per subject', async () => {
    const lines = withRepeatedSuppressions(generateEventStream({ seed: 11, customers: 400 }));
    // expectEqualsDryRun compares every topic, the suppression topics reduced to their latest per key.
    const { engine, kafka } = await streams.expectEqualsDryRun({
      name: 'suppressions',
      partitions: 1,
      identityRouting: false,
      lines,
    });

    // What `govern dry-run` computes for the same input and key: its `<destination>.suppressions.ndjson`
    // is the latest suppression per key of the same replay (cli/govern/dry-run.command.ts).
    const expected = dryRun(lines, engine.topics);

    const admin = kafka.admin();
    await admin.connect();
    try {
      let superseded = 0;
      for (const [destination, topic] of engine.topics.suppressions) {
        const configs = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] },
          ],
        });
        const value = (name: string): string | undefined =>
          configs.resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
        expect(value('cleanup.policy')).toBe('compact');
        expect(value('retention.ms')).toBe('-1');

        const latest = expected.suppressions.get(topic) ?? [];
        expect(latest.length).toBeGreaterThan(0);
        // Every suppression on the destination topic is also written to the compacted one.
        const writes = (
          expected.perTopic.get(engine.topics.destinations.get(destination) ?? '') ?? []
        ).filter((l) => l.includes('"record-kind":"suppression"'));
        const written = await consumeUntil(kafka, [topic], {
          timeoutMs: 60_000,
          until: (rs) => rs.length >= writes.length,
        });
        // What compaction keeps of the topic: every record is the engine's, the last per key is dry-run's.
        const all = written.map((r) => canonicalRecord(r.key, r.value, r.headers));
        expect(all.sort()).toEqual([...writes].sort());
        const kept = latestPerKey(written).map((r) => canonicalRecord(r.key, r.value, r.headers));
        expect([...kept].sort()).toEqual([...latest].sort());
        superseded += written.length - kept.length;
      }
      // Each subject that withdrew or objected was suppressed twice: "latest" was really exercised.
      expect(superseded).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });
});
