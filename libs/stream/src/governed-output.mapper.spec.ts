import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaMessage } from 'kafkajs';
import { type OutputRecord } from '@app/kafka';
import type { LineageRecord } from '@app/contracts';
import {
  decisionId,
  DEMO_PSEUDONYM_KEYRING,
  GovernanceProcessor,
  loadPolicy,
  renderLineage,
  type ProcessResult,
} from '@app/policy';
import { generateEventStream } from '@app/sample';
import { engineTopics } from './engine-topics';
import { emptyTally, toOutputRecords, type OutcomeTally } from './governed-output.mapper';

const ROOT = join(__dirname, '..', '..', '..');
const policy = loadPolicy(readFileSync(join(ROOT, 'policies', 'example.yaml'), 'utf8'), {
  fileName: 'example.yaml',
});
const topics = engineTopics(policy, 'unit.');
const destinationTopics = new Set(topics.destinations.values());

/** An input record as kafkajs hands it to the task. */
function message(value: string, headers: KafkaMessage['headers'] = {}, offset = '41'): KafkaMessage {
  return {
    key: Buffer.from('cust-key-1'),
    value: Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    offset,
    headers,
  } as KafkaMessage;
}

function map(
  result: ProcessResult,
  input: KafkaMessage,
  tally: OutcomeTally = emptyTally(),
  place?: (topic: string, key: string) => number | undefined,
): OutputRecord[] {
  const out: OutputRecord[] = [];
  toOutputRecords(
    result,
    { topic: 'unit.source.crm', partition: 2, message: input },
    topics,
    tally,
    out,
    place,
  );
  return out;
}

/** A generated stream's results in order, with the input they came from. */
function decidedStream(): { input: KafkaMessage; result: ProcessResult }[] {
  const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  return generateEventStream({ seed: 3, customers: 16 }).map((line, i) => ({
    input: message(line, {}, String(i)),
    result: processor.process(line),
  }));
}

/** The bad-input corpus: the last line of each file is the bad one (see its README). */
function badInputs(): { file: string; code: string; bad: string; before: string[] }[] {
  const dir = join(ROOT, 'test', 'engine', 'bad-inputs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.event') || f.endsWith('.events'))
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const lines = file.endsWith('.events') ? text.trim().split('\n') : [text];
      return {
        file,
        code: file.split('.')[0] as string,
        bad: lines[lines.length - 1] as string,
        before: lines.slice(0, -1),
      };
    });
}

/** Every string and number in a JSON value (the payload values a reason must not repeat). */
function leafValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [];
}

describe('toOutputRecords (what one decided input writes)', () => {
  const stream = decidedStream();

  it('writes every governed record to its destination topic with the policy version and decision id', () => {
    let destinationRecords = 0;
    for (const { input, result } of stream) {
      for (const r of map(result, input).filter((o) => destinationTopics.has(o.topic))) {
        destinationRecords++;
        const headers = r.headers as Record<string, string>;
        expect(headers['policy-version']).toBe(policy.version);
        expect(headers['decision-id']).toMatch(/\S/);
      }
    }
    expect(destinationRecords).toBeGreaterThan(0);
  });

  it('gives each destination record the decision id of a decision in the lineage it writes', () => {
    for (const { input, result } of stream) {
      const out = map(result, input);
      // Decision ids as the lineage determines them with its policy: rendered decisions, suppressions.
      const lineage = out
        .filter((o) => o.topic === topics.lineage)
        .map((o) => JSON.parse(o.value as string) as LineageRecord);
      const lineageIds = new Set([
        ...renderLineage(policy, lineage).map((d) => d.decisionId),
        ...lineage.flatMap((l) =>
          l.kind === 'suppression'
            ? [decisionId(policy.contentHash, l.eventId ?? '', l.destination, 'suppression')]
            : [],
        ),
      ]);
      for (const r of out.filter((o) => destinationTopics.has(o.topic))) {
        expect(lineageIds.has((r.headers as Record<string, string>)['decision-id'])).toBe(true);
      }
    }
  });

  it('places keyed records on the partition it is told and leaves the rest to the partitioner', () => {
    const { input, result } = stream.find((s) => s.result.records.length > 0) as (typeof stream)[number];
    const out = map(result, input, emptyTally(), () => 4);

    for (const r of out) expect(r.partition).toBe(r.key === null ? undefined : 4);
  });

  it('writes the core’s suppression states, and nothing else, on the compacted topic beside each destination', () => {
    const suppressionTopics = new Map([...topics.suppressions].map(([d, t]) => [t, d]));
    let written = 0;
    for (const { input, result } of stream) {
      const out = map(result, input);
      const onCompacted = out.filter((o) => suppressionTopics.has(o.topic));
      const expected = (result.suppressionStates ?? []).map((s) => ({
        topic: topics.suppressions.get(s.destination),
        key: s.key,
        value: s.value === null ? null : JSON.stringify(s.value),
        headers: s.headers,
      }));
      expect(onCompacted.map(({ topic, key, value, headers }) => ({ topic, key, value, headers }))).toEqual(
        expected,
      );
      written += onCompacted.length;
    }
    expect(written).toBeGreaterThan(0);
  });

  it('counts forwarded decisions and suppressions per destination, withheld attributes per reason', () => {
    const tally = emptyTally();
    for (const { input, result } of stream) map(result, input, tally);

    expect([...tally.forwarded.values()].some((n) => n > 0)).toBe(true);
    expect([...tally.withheld.values()].some((n) => n > 0)).toBe(true);
    expect([...tally.suppressions.values()].some((n) => n > 0)).toBe(true);
    for (const destination of [...tally.forwarded.keys(), ...tally.suppressions.keys()]) {
      expect(topics.destinations.has(destination)).toBe(true);
    }
  });

  describe('a dead letter', () => {
    const corpus = badInputs();
    const deadLetters = corpus.map(({ file, code, bad, before }) => {
      const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
      for (const line of before) processor.process(line);
      const input = message(bad, { 'trace-id': 'abc-123', 'content-type': Buffer.from('application/json') });
      const tally = emptyTally();
      const out = map(processor.process(bad), input, tally);
      return { file, code, bad, input, tally, letter: out.find((o) => o.topic === topics.deadLetter) };
    });

    it.each(deadLetters.map((d) => [d.file, d] as const))(
      '%s: keeps the original key, value bytes and headers',
      (_file, { input, letter }) => {
        expect(letter?.key).toBe(input.key);
        expect(letter?.value).toBe(input.value);
        expect(letter?.headers).toMatchObject(input.headers ?? {});
      },
    );

    it.each(deadLetters.map((d) => [d.file, d] as const))(
      '%s: names the source coordinates and its code, and counts it',
      (_file, { code, letter, tally }) => {
        expect(letter?.headers).toMatchObject({
          'dlq.source.topic': 'unit.source.crm',
          'dlq.source.partition': '2',
          'dlq.source.offset': '41',
          'dlq.error.code': code,
        });
        expect(tally.deadLetters.get(code)).toBe(1);
      },
    );

    it.each(deadLetters.map((d) => [d.file, d] as const))(
      '%s: gives a reason that repeats no value of the payload',
      (_file, { bad, letter }) => {
        const reason = String((letter?.headers as Record<string, string>)['dlq.error.reason']);
        let payload: { subject?: unknown; data?: unknown; id?: unknown } = {};
        try {
          payload = JSON.parse(bad) as typeof payload;
        } catch {
          // Not JSON: the reason must not quote the bytes either.
        }
        const values = [
          ...leafValues(payload.subject),
          ...leafValues(payload.data),
          ...leafValues(payload.id),
        ];
        expect(reason).toMatch(/\S/);
        expect(values.filter((v) => v.length >= 3 && reason.includes(v))).toEqual([]);
        expect(reason.includes(bad.slice(0, 40))).toBe(false);
      },
    );
  });
});
