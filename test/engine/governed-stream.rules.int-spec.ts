import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import { type GovernedDataValue, type LineageRecord, type RenderedDecision } from '@app/contracts';
import { claimantSuppressionId, decisionId, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { startGovernedStream, type GovernedStream } from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS,
  renderedDecisions,
  produceLines,
  readEngineOutput,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';
import { caseLines, caseOutputOf, checkCase, loadRuleCases } from '../../libs/policy/test/rule-case.check';

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

/**
 * Paths of a nested data object, dotted, leaves only; members of array elements in declared style
 * (`items[].sku`), so a line member is matched against its element attribute.
 */
function leafPaths(data: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(data).flatMap(([k, v]) => {
    if (
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))
    )
      return v.flatMap((e) => leafPaths(e as Record<string, unknown>, `${prefix}${k}[].`));
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? leafPaths(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`];
  });
}

const examplePolicy = loadPolicy(readFileSync(POLICY_FILE, 'utf8'));
const policyHash = examplePolicy.contentHash;

/** The rule cases (auditor scenarios included) on the example policy, each under its own prefix. */
const ruleCases = loadRuleCases().flatMap((c, i) => {
  const prefix = `case${i + 1}-`;
  const lines = caseLines(c, prefix);
  return lines === null ? [] : [{ c, prefix, lines }];
});

describe('the governed stream, end to end on a real broker', () => {
  let broker: KafkaUnderTest;
  let kafka: Kafka;
  let engine: GovernedStream;
  let destinationRecords: ConsumedRecord[];
  let lineage: LineageRecord[];
  let deadLetters: ConsumedRecord[];
  let lines: string[];
  const corpus = badInputs();

  beforeAll(async () => {
    broker = await provideKafka();
    kafka = testKafka(broker.brokers);
    engine = await startGovernedStream({
      kafka: { ...broker.client, clientId: 'engine-rules' },
      policyFile: POLICY_FILE,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('rules'),
      partitions: 1,
      maxStepRecords: 200,
      maxQueuedPerPartition: 1000,
      createTopics: true,
    });
    lines = [
      ...generateEventStream({ seed: 3, customers: 32 }),
      ...ruleCases.flatMap((r) => r.lines),
      ...corpus.flatMap((c) => c.lines),
    ];
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
        // An attribute declared whole (`items` of an abandoned checkout) covers its element members.
        expect(
          permitted.some(
            (p) =>
              path === p ||
              path.startsWith(`${p}.`) ||
              path.startsWith(`${p}[].`) ||
              // An empty array of lines: some member of its elements is permitted.
              p.startsWith(`${path}[].`),
          ),
        ).toBe(true);
      }
      if (decision.destination === 'segmentation') {
        expect(r.key).toMatch(/^t2:[0-9a-f]{32}$/);
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

  it('decides order lines by element path: the price never reaches segmentation, the rest of a line may', () => {
    const seg = renderedDecisions(lineage).filter(
      (d) => d.destination === 'segmentation' && d.type === 'order.completed',
    );
    const decided = seg.flatMap((l) => l.attributes.map((a) => `${a.path} ${a.outcome} ${a.rule}`));
    expect(decided).toContain('items[].sku forward R2');
    expect(decided).toContain('items[].priceDkk withhold R21');
    expect(decided.some((d) => d.startsWith('items[].priceDkk forward'))).toBe(false);
    const sent = destinationRecords
      .filter((r) => r.headers['record-kind'] === 'data' && r.headers['decision-id'] !== undefined)
      .map((r) => JSON.parse(r.value ?? '{}') as GovernedDataValue)
      // Segmentation's records: keyed by its pseudonyms (the active key id of the tests' keyring).
      .filter((v) => v.type === 'order.completed' && v.subject.startsWith(`${PSEUDONYM_KEYS.activeKeyId}:`));
    const lines = sent.flatMap((v) => (Array.isArray(v.data.items) ? (v.data.items as object[]) : []));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(['productGroup', 'sku']);
  });

  it('forwards personal e-mail clicks only under the tracking consent (R23)', () => {
    const clicks = renderedDecisions(lineage).flatMap((d) =>
      d.type === 'email.clicked' && d.destination === 'segmentation'
        ? d.attributes.filter((a) => a.path === 'linkUrl').map((a) => `${a.outcome} ${a.rule}`)
        : [],
    );
    expect(clicks).toContain('forward R23');
    expect(clicks).toContain('withhold R23');
  });

  it.each(ruleCases.map((r) => [r.c.name, r] as const))(
    'decides the rule case "%s" as the rule runner expects',
    (_name, { c, prefix }) => {
      // A destination record names its decision; its id follows from the lineage and the policy.
      const decided = new Map<string, { eventId: string | null; destination: string }>();
      for (const d of renderedDecisions(lineage)) decided.set(d.decisionId, d);
      for (const l of lineage)
        if (l.kind === 'suppression')
          decided.set(decisionId(policyHash, l.eventId ?? '', l.destination, 'suppression'), l);
      const records = destinationRecords.flatMap((r) => {
        const d = decided.get(r.headers['decision-id'] ?? '');
        if (d === undefined) return [];
        const value = JSON.parse(r.value ?? '{}') as GovernedDataValue | { kind: 'suppression' };
        const data = value.kind === 'data' ? value.data : undefined;
        return [{ eventId: d.eventId, destination: d.destination, ...(data === undefined ? {} : { data }) }];
      });
      expect(checkCase(c, caseOutputOf(examplePolicy, prefix, lineage, records))).toEqual([]);
    },
  );

  it('links identities only under cookie consent (R25) and recorded it in lineage', () => {
    const links = lineage.filter((l) => l.kind === 'identity-link');
    expect(links.some((l) => l.kind === 'identity-link' && l.linked)).toBe(true);
    expect(links.some((l) => l.kind === 'identity-link' && !l.linked)).toBe(true);
  });

  it('links the CRM e-mail address to its customer (R25), and refuses it for a second customer', () => {
    // Lineage v2: a refusal keeps its reason code and rule; a link made keeps neither (R25 follows
    // from the policy). The sample links every customer's address, and names some address twice.
    const links = lineage.flatMap((l) => (l.kind === 'identity-link' ? [l] : []));
    expect(links.some((l) => l.linked && l.refusedBy === undefined)).toBe(true);
    expect(
      links.some(
        (l) => !l.linked && l.refusedBy?.reason === 'identifier-taken' && l.refusedBy.rule === 'R25',
      ),
    ).toBe(true);
  });

  it("stops the customer's e-mail marketing after an objection under the e-mail address alone (R19)", () => {
    type Line = { id: string; type: string; subject: string; time: string; data: { kind?: string } };
    const events = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });
    // The generator's addresses are `<customer>@example.dk`; objections under one name the address only.
    const objected = new Map(
      events
        .filter(
          (e) => e.type === 'consent.evidence' && e.data.kind === 'objection' && e.subject.includes('@'),
        )
        .map((e) => [e.subject.trim().toLowerCase().split('@')[0] as string, Date.parse(e.time)]),
    );
    const after = events.filter((e) => {
      const at = objected.get(e.subject);
      return e.type === 'order.completed' && at !== undefined && Date.parse(e.time) > at;
    });
    expect(after.length).toBeGreaterThan(0);
    for (const order of after) {
      const decision = renderedDecisions(lineage).find(
        (d) => d.eventId === order.id && d.destination === 'email-service',
      );
      expect({ id: order.id, contact: decision?.contact?.mayContact, rule: decision?.contact?.rule }).toEqual(
        {
          id: order.id,
          contact: false,
          rule: 'R19',
        },
      );
    }
  });

  it('writes suppression records after a withdrawal and after an objection, recorded in lineage', () => {
    const suppressions = destinationRecords.filter((r) => r.headers['record-kind'] === 'suppression');
    const reasons = new Set(
      suppressions.map((r) => (JSON.parse(r.value ?? '{}') as { reason: string }).reason),
    );
    expect(reasons).toEqual(new Set(['consent-withdrawn', 'objection']));
    // A suppression's decision id follows from the policy, the event and the destination; for a
    // customer whose claim on the address was refused (R25), from its lineage subject too.
    const lineageIds = new Set(
      lineage.flatMap((l) =>
        l.kind === 'suppression'
          ? [
              decisionId(policyHash, l.eventId ?? '', l.destination, 'suppression'),
              claimantSuppressionId(policyHash, l.eventId ?? '', l.destination, l.subject ?? ''),
            ]
          : [],
      ),
    );
    expect(suppressions.some((s) => s.headers['decision-id']?.startsWith('c:') === true)).toBe(true);
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
