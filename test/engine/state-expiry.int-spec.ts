import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumeUntil, provideKafka, until, type KafkaUnderTest } from '@app/testing';
import { startGovernedStream, type GovernedStream, type GovernedStreamConfig } from '@app/stream';
import {
  POLICY_FILE,
  PSEUDONYM_KEYS,
  produceLines,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (day: number): string => new Date(T0 + day * DAY).toISOString();

const evidence = (id: string, subject: string, day: number, data: Record<string, unknown>): string =>
  JSON.stringify({
    specversion: '1.0',
    id,
    source: 'consent-service',
    type: 'consent.evidence',
    time: at(day),
    subject,
    data: {
      evidenceId: `ev-${id}`,
      subject: { key: subject },
      timestamp: at(day),
      cmp: 'own-cmp/1.0',
      textVersion: 'sha256:test',
      uiLayer: 1,
      language: 'da',
      sourceChannel: 'web',
      purposes: [],
      ...data,
    },
  });
const pageView = (id: string, subject: string, day: number): string =>
  JSON.stringify({
    specversion: '1.0',
    id,
    source: 'web',
    type: 'page.viewed',
    time: at(day),
    subject,
    data: { page: { url: '/p' } },
  });

describe('state expiry in the engine', () => {
  let broker: KafkaUnderTest | undefined;
  let engine: GovernedStream | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'state-expiry-'));
  jest.setTimeout(180_000);
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tombstones expired subjects in the changelog and restores only the live ones after a restart', async () => {
    const brokers = (broker as KafkaUnderTest).brokers;
    // The example policy with a 30-day horizon.
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(
      policyFile,
      readFileSync(POLICY_FILE, 'utf8').replace(/stateHorizonDays: \d+/, 'stateHorizonDays: 30'),
    );
    const restored: number[] = [];
    const config: GovernedStreamConfig = {
      kafka: { brokers, clientId: 'engine-expiry' },
      policyFile,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('expiry'),
      partitions: 2,
      // As the service: the example policy links declared identifiers, which routing off refuses on
      // more than one partition.
      identityRouting: 'auto',
      maxStepRecords: 500,
      maxQueuedPerPartition: 2000,
      createTopics: true,
      observer: { tasksClaimed: (e) => restored.push(e.restoredSubjects) },
    };
    engine = await startGovernedStream(config);
    const { topics } = engine;
    const kafka = testKafka(brokers);

    // Day 0: twenty visitors without consent (nothing to keep past the horizon), one who objects
    // (kept for ever) and one who consents to cookies (kept while the grant lives, R8).
    const visitors = Array.from({ length: 20 }, (_, i) => `visitor-${i}`);
    await produceLines(kafka, topics, [
      ...visitors.map((s, i) => pageView(`v${i}`, s, 0)),
      evidence('o1', 'objector', 0, { kind: 'objection' }),
      evidence('c1', 'consenter', 0, {
        kind: 'cookie-banner',
        formVersion: 'banner-v1',
        action: 'save_choices',
        purposes: ['cookie.statistics', 'cookie.marketing', 'seg.web_behaviour'],
      }),
    ]);
    // Their states are on the changelog before anything expires them.
    await consumeUntil(kafka, [topics.changelog], {
      timeoutMs: 60_000,
      until: (rs) => visitors.every((v) => rs.some((r) => r.key === v && r.value !== null)),
    });
    // Days 40 to 42, on both partitions: the sweep clock passes the visitors' horizon, and the
    // sweep (a few subjects per event) gets round to every one of them.
    const late = Array.from({ length: 8 }, (_, i) => `late-${i}`);
    await produceLines(
      kafka,
      topics,
      [40, 41, 42].flatMap((day) => late.map((s, i) => pageView(`l${day}-${i}`, s, day))),
    );

    const changelog = await consumeUntil(kafka, [topics.changelog], {
      timeoutMs: 90_000,
      until: (rs) => visitors.every((s) => rs.some((r) => r.key === s && r.value === null)),
    });
    const tombstoned = new Set(changelog.filter((r) => r.value === null).map((r) => r.key));
    for (const s of visitors) {
      expect(tombstoned.has(s)).toBe(true);
      // The tombstone follows the state written at day 0.
      const own = changelog.filter((r) => r.key === s);
      expect(own.at(-1)?.value).toBeNull();
      expect(own.some((r) => r.value !== null)).toBe(true);
    }
    expect(tombstoned.has('objector')).toBe(false);
    expect(tombstoned.has('consenter')).toBe(false);

    // Restart: the tombstoned subjects are absent, the others restored.
    await engine.stop();
    restored.length = 0;
    engine = await startGovernedStream(config);
    await until(() => engine?.isReady() === true, 60_000);
    expect(restored.reduce((a, b) => a + b, 0)).toBe(2 + late.length);

    // The restored consent still decides: a later page view of the consenter reaches segmentation.
    await produceLines(kafka, topics, [pageView('g2', 'consenter', 43)]);
    const segmentation = topics.destinations.get('segmentation') as string;
    const out = await consumeUntil(kafka, [segmentation], {
      timeoutMs: 60_000,
      until: (rs) => rs.some((r) => r.headers['event-id'] === 'g2'),
    });
    expect(out.find((r) => r.headers['event-id'] === 'g2')?.headers['record-kind']).toBe('data');
  });
});
