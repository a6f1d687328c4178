import { readFileSync } from 'node:fs';
import type { DecisionLineageRecord, LineageRecord } from '@app/contracts';
import { loadPolicy, renderDecision, replayLines } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { consumeUntil } from '@app/testing';
import { POLICY_FILE, PSEUDONYM_KEYS, streamsUnderTest } from './support/engine-stream.kit';

/**
 * Policy versions are part of the log: at start the engine publishes the text of its policy to the
 * compacted policy-versions topic, keyed by version, and every decision in the lineage topic renders
 * from Kafka alone (the record, and the text its version names) to what the core decided.
 */
describe('the policy-versions topic', () => {
  const streams = streamsUnderTest();

  it('holds the enforced policy text by version, and with the lineage explains every decision', async () => {
    const lines = generateEventStream({ seed: 4, customers: 60 });
    const { engine, kafka } = await streams.expectEqualsDryRun({
      name: 'policy-versions',
      partitions: 1,
      identityRouting: false,
      lines,
    });
    const [published] = await consumeUntil(kafka, [engine.topics.policyVersions], {
      until: (rs) => rs.length >= 1,
    });
    expect(published?.key).toBe(engine.policy.version);
    expect(published?.value).toBe(readFileSync(POLICY_FILE, 'utf8'));

    // The auditor's side: only what Kafka holds.
    const { results } = replayLines(engine.policy, lines.join('\n'), { pseudonymKeys: PSEUDONYM_KEYS });
    const expectedRecords = results.reduce((n, r) => n + r.result.lineage.length, 0);
    const lineage = (
      await consumeUntil(kafka, [engine.topics.lineage], { until: (rs) => rs.length >= expectedRecords })
    ).map((r) => JSON.parse(r.value ?? 'null') as LineageRecord);
    const versions = new Map([[published?.key ?? '', loadPolicy(published?.value ?? '')]]);
    const decisions = lineage.filter((l): l is DecisionLineageRecord => l.kind === 'decision');
    expect(decisions.length).toBeGreaterThan(100);
    const computed = new Map(
      results.flatMap(({ result }) =>
        (result.decisions ?? []).map((d) => [
          `${result.eventId} ${d.destination.name}`,
          d.attributes.map((a) => ({ ...a })),
        ]),
      ),
    );
    for (const record of decisions) {
      const policy = versions.get(record.policyVersion);
      expect(policy?.version).toBe(record.policyVersion);
      for (const d of renderDecision(policy ?? engine.policy, record))
        expect(d.attributes).toEqual(computed.get(`${record.eventId} ${d.destination}`));
    }
  });
});
