import { ConfigResourceTypes } from 'kafkajs';
import { consumeUntil } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { canonicalRecord, currentSuppressions, dryRun, streamsUnderTest } from './support/engine-stream.kit';

interface SampleEvent {
  id: string;
  time: string;
  subject: string;
  type: string;
  data: { kind?: string; evidenceId?: string; timestamp?: string; subject?: { key: string } };
}

/**
 * The generated stream gives each subject at most one suppression, so neither the union nor a lift
 * would be tested: append, after everything else, for every subject that withdrew or objected, a
 * new cookie consent for web behaviour (it lifts that purpose) and then its withdrawal alone (a
 * suppression narrower than the first). The compacted topic must keep the union of both.
 */
function withNarrowerSuppressions(lines: string[]): string[] {
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
  const evidence = (e: SampleEvent, suffix: string, minute: number, data: object): string => {
    const time = new Date(last + 60_000 * minute).toISOString();
    const { kind: _kind, ...base } = e.data;
    return JSON.stringify({
      ...e,
      id: `${e.id}-${suffix}`,
      time,
      data: { ...base, ...data, evidenceId: `${e.data.evidenceId}-${suffix}`, timestamp: time },
    });
  };
  const again = events
    .filter(
      (e) => e.type === 'consent.evidence' && (e.data.kind === 'withdrawal' || e.data.kind === 'objection'),
    )
    .flatMap((e, i) => [
      evidence(e, 'regrant', 2 * i + 1, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        textVersion: 'sha256:banner-v1',
        sourceChannel: 'web',
        action: 'save_choices',
        purposes: [WEB],
      }),
      evidence(e, 'narrow', 2 * i + 2, { kind: 'withdrawal', purposes: [], withdrawal: { purposes: [WEB] } }),
    ]);
  return [...lines, ...again];
}

const WEB = 'seg.web_behaviour';

describe('the compacted suppression topic of each destination', () => {
  const streams = streamsUnderTest();

  it('is compacted without time limit and holds exactly dry-run’s current suppressed purposes per subject', async () => {
    const lines = withNarrowerSuppressions(generateEventStream({ seed: 11, customers: 400 }));
    // expectEqualsDryRun compares every topic, the suppression topics reduced to what compaction keeps.
    const { engine, kafka } = await streams.expectEqualsDryRun({
      name: 'suppressions',
      partitions: 1,
      identityRouting: false,
      lines,
    });

    // What `govern dry-run` computes for the same input and key: its `<destination>.suppressions.ndjson`
    // is the latest suppression state per key of the same replay (cli/govern/dry-run.command.ts).
    const expected = dryRun(lines, engine.topics);

    const admin = kafka.admin();
    await admin.connect();
    try {
      let broader = 0;
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

        const current = expected.suppressions.get(topic) ?? [];
        expect(current.length).toBeGreaterThan(0);
        const mine = expected.suppressionLog.get(topic) ?? [];
        const written = await consumeUntil(kafka, [topic], {
          timeoutMs: 60_000,
          until: (rs) => rs.length >= mine.length,
        });
        // Every record is the core's (tombstones included), what compaction keeps is dry-run's.
        const all = written.map((r) =>
          r.value === null ? `${r.key}:null` : canonicalRecord(r.key, r.value, r.headers),
        );
        expect(all.sort()).toEqual([...mine].sort());
        const kept = currentSuppressions(
          written.map((r) => ({
            key: r.key,
            line: r.value === null ? null : canonicalRecord(r.key, r.value, r.headers),
          })),
        );
        expect([...kept].sort()).toEqual([...current].sort());

        // The last suppression on the destination topic named web behaviour alone; the compacted
        // record keeps everything suppressed before it as well.
        const lastSuppression = new Map<string, string[]>();
        for (const line of expected.perTopic.get(engine.topics.destinations.get(destination) ?? '') ?? []) {
          const r = JSON.parse(line) as { key: string; value: { kind: string; purposes: string[] } };
          if (r.value.kind === 'suppression') lastSuppression.set(r.key, r.value.purposes);
        }
        for (const line of kept) {
          const r = JSON.parse(line) as { key: string; value: { kind: string; purposes: string[] } };
          expect(r.value.kind).toBe('suppression-state');
          const latest = lastSuppression.get(r.key) ?? [];
          // (Elsewhere a consent given after the last suppression may have lifted some of it.)
          if (latest.length !== 1 || latest[0] !== WEB) continue;
          expect(r.value.purposes).toContain(WEB);
          if (r.value.purposes.length > 1) broader++;
        }
      }
      expect(broader).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });
});
