import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import { type GovernedDataValue, type LineageRecord, type RenderedDecision } from '@app/contracts';
import { decisionId, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { startGovernedStream, type GovernedStream } from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  renderedDecisions,
  PSEUDONYM_KEY,
  produceLines,
  readEngineOutput,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

const BAD_INPUTS = join(__dirname, 'bad-inputs');

/** The corpus as produced lines, each with the dead-letter code its file name announces. */
function badInputs(): { code: string; file: string; lines: string[] }[] {
  return readdirSync(BAD_INPUTS)
    .filter((f) => f.endsWith('.event') || f.endsWith('.events'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(BAD_INPUTS, file), 'utf8');
      const lines = file.endsWith('.events') ? text.trim().split('\n') : [text];
      return { code: file.split('.')[0] as string, file, lines };
    });
}

/** Paths of a nested data object, dotted, leaves only. */
function leafPaths(data: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(data).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? leafPaths(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

const policyHash = loadPolicy(readFileSync(POLICY_FILE, 'utf8')).contentHash;

describe('the governed stream, end to end on a real broker', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let engine: GovernedStream;
  let destinationRecords: ConsumedRecord[];
  let lineage: LineageRecord[];
  let deadLetters: ConsumedRecord[];
  const corpus = badInputs();

  beforeAll(async () => {
    broker = await provideKafka();
    kafka = testKafka(broker.brokers);
    engine = await startGovernedStream({
      kafka: { ...broker.client, clientId: 'engine-rules' },
      policyFile: POLICY_FILE,
      pseudonymKey: PSEUDONYM_KEY,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('rules'),
      partitions: 1,
      maxStepRecords: 200,
      maxQueuedPerPartition: 1000,
      createTopics: true,
    });
    const lines = [...generateEventStream({ seed: 3, customers: 32 }), ...corpus.flatMap((c) => c.lines)];
    await produceLines(kafka, engine.topics, lines);
    const expected = dryRun(lines, engine.topics);
    const out = await readEngineOutput(kafka, engine.topics, expected);
    lineage = out.lineage.map((l) => JSON.parse(l) as LineageRecord);
    deadLetters = out.deadLetters;
    destinationRecords = [...out.perTopic.values()].flat().map((r) => {
      const { key, value, headers } = JSON.parse(r) as {
        key: string;
        value: unknown;
        headers: Record<string, string>;
      };
      return { topic: '', partition: 0, offset: '', key, value: JSON.stringify(value), headers };
    });
  });
  afterAll(async () => {
    await engine.stop();
    await broker.stop();
  });

  it('forwards to each destination only the fields its decision permits, pseudonymised where asked', () => {
    const decisions = new Map(renderedDecisions(lineage).map((d) => [d.decisionId, d]));
    const data = destinationRecords.filter((r) => r.headers['record-kind'] === 'data');
    expect(data.length).toBeGreaterThan(0);
    for (const r of data) {
      const decision = decisions.get(r.headers['decision-id'] ?? '') as RenderedDecision;
      expect(decision.policyVersion).toBe(r.headers['policy-version']);
      const permitted = decision.attributes.filter((a) => a.outcome !== 'withhold').map((a) => a.path);
      const value = JSON.parse(r.value ?? '{}') as GovernedDataValue;
      for (const path of leafPaths(value.data)) {
        expect(permitted.some((p) => path === p || path.startsWith(`${p}.`))).toBe(true);
      }
      if (decision.destination === 'segmentation') {
        expect(r.key).toMatch(/^ps_/);
        expect(JSON.stringify(value.data)).not.toMatch(/@example\.dk/);
      }
    }
  });

  it.each([
    ['R2', 'basis-consent'],
    ['R3', 'consent-invalid'],
    ['R4', 'no-consent'],
    ['R8', 'consent-expired'],
    ['R14', 'no-contact-permission'],
    ['R18', 'consent-withdrawn'],
    ['R19', 'objection'],
    ['R20', 'basis-fixed'],
    ['R21', 'purpose-not-collected-for'],
    ['R22', 'collected-before-basis'],
    ['R23', 'basis-consent'],
    ['R28', 'undeclared-attribute'],
  ])('decides by rule %s (%s) in the lineage of the stream', (rule, reason) => {
    const hits = renderedDecisions(lineage).flatMap((d) =>
      d.attributes.filter((a) => a.rule === rule && a.reason === reason),
    );
    expect(hits.length).toBeGreaterThan(0);
  });

  it('links identities only under cookie consent (R25) and recorded it in lineage', () => {
    const links = lineage.filter((l) => l.kind === 'identity-link');
    expect(links.some((l) => l.kind === 'identity-link' && l.linked)).toBe(true);
    expect(links.some((l) => l.kind === 'identity-link' && !l.linked)).toBe(true);
  });

  it('writes suppression records after a withdrawal and after an objection, recorded in lineage', () => {
    const suppressions = destinationRecords.filter((r) => r.headers['record-kind'] === 'suppression');
    const reasons = new Set(
      suppressions.map((r) => (JSON.parse(r.value ?? '{}') as { reason: string }).reason),
    );
    expect(reasons).toEqual(new Set(['consent-withdrawn', 'objection']));
    // A suppression's decision id follows from the policy, the event and the destination.
    const lineageIds = new Set(
      lineage.flatMap((l) =>
        l.kind === 'suppression'
          ? [decisionId(policyHash, l.eventId ?? '', l.destination, 'suppression')]
          : [],
      ),
    );
    for (const s of suppressions) expect(lineageIds.has(s.headers['decision-id'] ?? '')).toBe(true);
  });

  it('dead-letters every bad input of the corpus with its bytes, source coordinates and a reason without personal data', () => {
    for (const { code, file, lines } of corpus) {
      const bad = lines[lines.length - 1] as string;
      const letter = deadLetters.find((d) => d.value === bad);
      expect({ file, code: letter?.headers['dlq.error.code'] }).toEqual({ file, code });
      expect(letter?.headers['dlq.source.topic']).toMatch(/source\.|consent\.evidence/);
      expect(letter?.headers['dlq.source.offset']).toMatch(/^\d+$/);
      expect(letter?.headers['dlq.error.reason']).not.toMatch(/cust-bad|example\.dk|Køge/);
    }
  });
});
