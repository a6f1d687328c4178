import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaMessage } from 'kafkajs';
import { AggregateCounter, COUNTED_KEY, loadPolicy, type ProcessResult } from '@app/policy';
import { contributionRecords, countContributions, CountingInbox } from './aggregate-counting';
import { engineTopics } from './engine-topics';
import { emptyTally } from './governed-output.mapper';

const policy = loadPolicy(
  readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8'),
  {
    fileName: 'example.yaml',
  },
);
const topics = engineTopics(policy, 'unit.');
const noPlace = (): undefined => undefined;
const opened = {
  aggregate: 'email-engagement',
  campaign: 'spring-sale',
  source: 'email',
  type: 'email.opened',
  day: '2025-03-02',
};
const result = { contributions: [opened] } as unknown as ProcessResult;

/** The contribution records of the input at `offset` of routed partition 3, as kafkajs hands them back. */
function read(offset: number): KafkaMessage {
  const [r] = contributionRecords(
    result,
    { topic: 'unit.governance.routed', partition: 3, offset: String(offset) },
    topics,
    noPlace,
  );
  return {
    key: Buffer.from(r?.key ?? ''),
    value: Buffer.from(r?.value ?? ''),
    offset: String(offset),
  } as KafkaMessage;
}

describe('anonymous counts in the decision tasks (R23)', () => {
  it('names the aggregate topics and the counting topics only when the policy declares an aggregate', () => {
    expect(topics.aggregates).toEqual(new Map([['email-engagement', 'unit.governed.email-engagement']]));
    expect(topics.counting).toEqual({
      contributions: 'unit.governance.aggregate-contributions',
      changelog: 'unit.governance.aggregate.changelog',
    });
    const none = loadPolicy(
      readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8').replace(
        /\naggregates:[\s\S]*$/,
        '\n',
      ),
    );
    expect(engineTopics(none).counting).toBeNull();
  });

  it('writes a contribution keyed by count key, naming where the task read the event and nothing personal', () => {
    const records = contributionRecords(
      result,
      { topic: 'unit.governance.routed', partition: 3, offset: '17' },
      topics,
      () => 2,
    );
    expect(records).toEqual([
      {
        topic: 'unit.governance.aggregate-contributions',
        key: '["email-engagement","spring-sale","email","email.opened","2025-03-02"]',
        value: '{"from":"unit.governance.routed/3","offset":"17"}',
        partition: 2,
      },
    ]);
    expect(
      contributionRecords({} as ProcessResult, { topic: 't', partition: 0, offset: '1' }, topics, noPlace),
    ).toEqual([]);
  });

  it('counts in the step: figures with lineage at k, the counter changelog as of the last record, copies dropped', () => {
    const counter = new AggregateCounter(policy);
    const tally = emptyTally();
    // Offsets 1-5, then a copy of 3-5 (an aborted step's, passed on by the reader), then 6.
    const taken = [1, 2, 3, 4, 5, 3, 4, 5, 6].map(read);
    const out = countContributions(counter, taken, topics, 3, noPlace, tally);
    const figures = out.filter((r) => r.topic === 'unit.governed.email-engagement');
    expect(figures.map((r) => JSON.parse(String(r.value)) as { count: number })).toMatchObject([
      { count: 5 },
    ]);
    expect(figures[0]?.key).toBe('["spring-sale","email","email.opened","2025-03-02"]');
    const lineage = out
      .filter((r) => r.topic === topics.lineage)
      .map((r) => JSON.parse(String(r.value)) as object);
    expect(lineage).toMatchObject([{ kind: 'aggregate-count', count: 5, rule: 'R23', subject: null }]);
    const changelog = out.filter((r) => r.topic === 'unit.governance.aggregate.changelog');
    expect(changelog.map((r) => [r.key, r.value, r.partition])).toEqual([
      [COUNTED_KEY, '{"unit.governance.routed/3":"6"}', 3],
      ['["email-engagement","spring-sale","email","email.opened","2025-03-02"]', '{"count":6}', 3],
    ]);
    expect(tally.aggregateFigures).toEqual(new Map([['email-engagement', 1]]));
  });

  it('counts nothing for a record that is not a contribution', () => {
    const counter = new AggregateCounter(policy);
    const junk = [
      { key: Buffer.from('x'), value: Buffer.from('{}'), offset: '0' },
      { key: null, value: null, offset: '1' },
      { key: read(1).key, value: Buffer.from('{"from":"a/0","offset":"-1"}'), offset: '2' },
    ] as KafkaMessage[];
    expect(countContributions(counter, junk, topics, 0, noPlace, emptyTally())).toEqual([]);
  });

  it('queues fetched contributions from the committed offset on, until a committed step counted them', () => {
    const inbox = new CountingInbox(5n);
    inbox.add([read(3), read(5), read(6)]);
    expect(inbox.peek(10).map((m) => m.offset)).toEqual(['5', '6']);
    inbox.add([
      { ...read(6), offset: '6' },
      { ...read(7), offset: '7' },
    ]);
    expect(inbox.size).toBe(3);
    inbox.counted(2);
    expect(inbox.peek(10).map((m) => m.offset)).toEqual(['7']);
    expect(inbox.next).toBe(8n);
  });
});
