import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { readTopicToEnd } from '@app/kafka';
import { generateEventStream } from '@app/sample';
import { provideKafka, until, type KafkaUnderTest } from '@app/testing';
import { startGovernedStream, type GovernedStream, type GovernedStreamConfig } from '@app/stream';
import { isReleaseLogKey } from '@app/stream/identity-homes.release-log';
import { comebackTail, expiringPolicyText } from '../../libs/stream/test/identity-releases.harness';
import { expectCommittedEqualsDryRun } from './support/committed-equals-dry-run';
import {
  POLICY_FILE,
  PSEUDONYM_KEYS,
  produceLines,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/** Waits until records produced now get later timestamps than `lines` produced at `since` (see sampleChunks). */
async function afterTimestampsOf(lines: number, since: number): Promise<void> {
  const wait = since + lines + 2000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** Resolves once the router's group has committed the release topic to its end (fails after 2 min). */
async function routerReadAll(kafka: Kafka, groupId: string, releases: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(releases),
        admin.fetchOffsets({ groupId, topics: [releases] }),
      ]);
      const at = (p: number): bigint =>
        BigInt(committed?.partitions.find((c) => c.partition === p)?.offset ?? '-1');
      if (ends.every((e) => BigInt(e.high) === 0n || at(e.partition) >= BigInt(e.high))) return;
      if (Date.now() > deadline) throw new Error('the router did not read every release');
    }
  } finally {
    await admin.disconnect();
  }
}

// With a 30-day horizon most of the sample's subjects expire; the tasks release the keys their
// sweeps forget, and the router drops home groups whose every key was released after the group's
// last routed record. Former members' later events (the tail's cookies coming back) are then decided
// in their own keys' tasks, and every output must still equal dry-run's, across a restart.
describe('the identity router table shrinks by the tasks’ releases (4 partitions, 30-day horizon)', () => {
  let broker: KafkaUnderTest | undefined;
  let engine: GovernedStream | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'identity-releases-'));
  jest.setTimeout(600_000);
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tombstones dropped groups, shrinks the table, restores it after a restart and still equals dry-run', async () => {
    const brokers = (broker as KafkaUnderTest).brokers;
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, expiringPolicyText(readFileSync(POLICY_FILE, 'utf8')));
    const sample = generateEventStream({ seed: 11, customers: 400 });
    const tail = comebackTail(sample);

    const table: { keys: number; dropped: number }[] = [];
    const restoredKeys: number[] = [];
    const config: GovernedStreamConfig = {
      kafka: { brokers, clientId: 'engine-releases' },
      policyFile,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('releases'),
      partitions: 4,
      identityRouting: true,
      maxStepRecords: 500,
      maxQueuedPerPartition: 2000,
      createTopics: true,
      observer: {
        routeStepCommitted: (e) => table.push({ keys: e.tableKeys, dropped: e.droppedKeys }),
        routerClaimed: (e) => restoredKeys.push(e.aliases),
      },
    };
    engine = await startGovernedStream(config);
    const { topics } = engine;
    const kafka = testKafka(brokers);
    const producedAt = Date.now();
    await produceLines(kafka, topics, sample);

    // Stopped as soon as the router has dropped groups: releases and routing are still under way.
    await until(() => table.some((s) => s.dropped > 0), 300_000);
    await engine.stop();
    const beforeStop = table.at(-1)?.keys;
    const stepsBeforeStop = table.length;
    const claimsBeforeStop = restoredKeys.length;
    engine = await startGovernedStream(config);
    await until(() => engine?.isReady() === true, 120_000);
    // The restored table is the one the last committed routing step left: dropped groups stay dropped.
    expect(restoredKeys[claimsBeforeStop]).toBe(beforeStop);

    await afterTimestampsOf(tail.length, producedAt);
    await produceLines(kafka, topics, tail);
    await expectCommittedEqualsDryRun(kafka, topics, [...sample, ...tail], policyFile);
    // Every output is in: no release is still to come. Once the router has read them all, its table
    // holds still, and what it wrote can be compared with what it reported.
    await routerReadAll(kafka, `${config.groupId}-route`, topics.releases);

    // The homes changelog holds the dropped keys' tombstones, and the table ended smaller than it was.
    let tombstones = 0;
    let logged = 0;
    await readTopicToEnd(kafka, {
      topic: topics.homes,
      onBatch: ({ messages }) => {
        for (const m of messages) if (isReleaseLogKey(m.key)) logged++;
        for (const m of messages)
          if (m.value === null && (m.key?.length ?? 0) > 0 && !isReleaseLogKey(m.key)) tombstones++;
      },
    });
    const dropped = table.reduce((n, s) => n + s.dropped, 0);
    expect(tombstones).toBe(dropped);
    // Releases on record and their homes' positions went to the release log (a restart keeps them).
    expect(logged).toBeGreaterThan(0);
    // After the restart, releases made after the restored position count: groups are dropped again.
    expect(table.slice(stepsBeforeStop).some((s) => s.dropped > 0)).toBe(true);
    const largest = Math.max(...table.map((s) => s.keys));
    const final = table.at(-1)?.keys ?? Infinity;
    expect(final).toBeLessThan(largest);
    const registry = engine.metrics.registry;
    const gauge = (await registry.getSingleMetric('engine_identity_homes_keys')?.get())?.values[0]?.value;
    expect(gauge).toBe(final);
  });
});
