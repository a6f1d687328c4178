import fc from 'fast-check';
import { examplePolicy } from '../../test/rule-fixture.harness';
import { AggregateCounter, COUNTED_KEY } from './aggregate-counter';
import { type AggregateContribution, contributionOfKey, countKeyOf } from './contribution';
import { countReplayed } from './count-replay';

const open = (campaign: string, day = '2025-03-02'): AggregateContribution => ({
  aggregate: 'email-engagement',
  campaign,
  source: 'email',
  type: 'email.opened',
  day,
});

describe("R23: counting an aggregate's contributions", () => {
  it('publishes a figure only at k, 2k, 3k… events of a key (k = 5 in the example)', () => {
    const counter = new AggregateCounter(examplePolicy);
    const figures = Array.from(
      { length: 12 },
      () => counter.add(open('spring-sale')).published?.record.value.count,
    );
    expect(figures).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      5,
      ...Array(4).fill(undefined),
      10,
      undefined,
      undefined,
    ]);
  });

  it('counts keys apart: another campaign, event type or day starts its own count', () => {
    const counter = new AggregateCounter(examplePolicy);
    for (let i = 0; i < 4; i++) counter.add(open('a'));
    expect(counter.add(open('b')).published).toBeUndefined();
    expect(counter.add(open('a', '2025-03-03')).published).toBeUndefined();
    expect(counter.add({ ...open('a'), type: 'email.clicked' }).published).toBeUndefined();
    expect(counter.add(open('a')).published?.record.value.count).toBe(5);
  });

  it('publishes no identifier: the record and its lineage name the campaign, type, day, count and R23', () => {
    const counter = new AggregateCounter(examplePolicy);
    let published;
    for (let i = 0; i < 5; i++) published = counter.add(open('spring-sale')).published;
    expect(published?.record).toEqual({
      aggregate: 'email-engagement',
      topic: 'governed.email-engagement',
      key: '["spring-sale","email","email.opened","2025-03-02"]',
      value: {
        kind: 'aggregate-count',
        aggregate: 'email-engagement',
        campaign: 'spring-sale',
        source: 'email',
        type: 'email.opened',
        day: '2025-03-02',
        count: 5,
        minimumCount: 5,
        rule: 'R23',
      },
      headers: {
        'policy-version': examplePolicy.version,
        'decision-id': `a:email-engagement:${examplePolicy.contentHash}:5:["spring-sale","email","email.opened","2025-03-02"]`,
        'record-kind': 'aggregate-count',
      },
    });
    expect(published?.lineage).toEqual({
      lineageVersion: 2,
      kind: 'aggregate-count',
      policyVersion: examplePolicy.version,
      eventId: null,
      subject: null,
      time: null,
      aggregate: 'email-engagement',
      campaign: 'spring-sale',
      source: 'email',
      type: 'email.opened',
      day: '2025-03-02',
      by: 'campaignId',
      count: 5,
      minimumCount: 5,
      rule: 'R23',
    });
  });

  it('drops a copy: an input position at or below the highest counted of its partition counts nothing', () => {
    const counter = new AggregateCounter(examplePolicy);
    const from = (offset: number, input = 'routed/0'): { input: string; offset: bigint } => ({
      input,
      offset: BigInt(offset),
    });
    expect(counter.add(open('a'), from(10)).changed).toEqual([COUNTED_KEY, countKeyOf(open('a'))]);
    expect(counter.add(open('a'), from(10)).changed).toEqual([]);
    expect(counter.add(open('a'), from(7)).changed).toEqual([]);
    expect(counter.add(open('a'), from(3, 'routed/1')).changed).toHaveLength(2);
    expect(counter.exportState(countKeyOf(open('a')))).toEqual({ count: 2 });
    expect(counter.exportState(COUNTED_KEY)).toEqual({ 'routed/0': '10', 'routed/1': '3' });
  });

  it('goes on from its exported state as if it had never stopped', () => {
    const first = new AggregateCounter(examplePolicy);
    for (let i = 0; i < 3; i++) first.add(open('a'), { input: 'x/0', offset: BigInt(i) });
    const second = new AggregateCounter(examplePolicy);
    for (const key of [COUNTED_KEY, countKeyOf(open('a'))])
      expect(second.importState(key, JSON.parse(JSON.stringify(first.exportState(key))))).toBe(true);
    expect(second.add(open('a'), { input: 'x/0', offset: 2n }).changed).toEqual([]);
    second.add(open('a'), { input: 'x/0', offset: 3n });
    expect(second.add(open('a'), { input: 'x/0', offset: 4n }).published?.record.value.count).toBe(5);
  });

  it('fails closed on an unreadable stored record: its key (or, for the offsets, everything) publishes no more', () => {
    const counter = new AggregateCounter(examplePolicy);
    expect(counter.importState(countKeyOf(open('a')), { count: 'many' })).toBe(false);
    for (let i = 0; i < 10; i++) expect(counter.add(open('a')).published).toBeUndefined();
    expect(counter.add(open('b')).changed).toEqual([countKeyOf(open('b'))]);
    const broken = new AggregateCounter(examplePolicy);
    expect(broken.importState(COUNTED_KEY, { 'x/0': 12 })).toBe(false);
    expect(broken.add(open('b')).changed).toEqual([]);
  });

  it('ignores a contribution of an aggregate the policy does not declare', () => {
    const counter = new AggregateCounter(examplePolicy);
    expect(counter.add({ ...open('a'), aggregate: 'other' }).changed).toEqual([]);
  });

  it('reads a count key back, and nothing else', () => {
    expect(contributionOfKey(countKeyOf(open('a')))).toEqual(open('a'));
    for (const bad of ['', 'counted', '["a"]', '[1,2,3,4,5]', '{"a":1}'])
      expect(contributionOfKey(bad)).toBeNull();
  });

  it('publishes the same figures per key whatever the order or partitioning (dry-run = stream)', () => {
    const keys = [open('a'), open('b'), { ...open('a'), type: 'email.clicked' }, open('a', '2025-03-04')];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: keys.length - 1 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (picks, parts, salt) => {
          const stream = picks.map((i) => keys[i] as AggregateContribution);
          const whole = countReplayed(examplePolicy, [{ contributions: stream }]).map((p) =>
            JSON.stringify(p.record),
          );
          // Counted in `parts` counters by key, each seeing its keys in an arbitrary interleaving.
          const counters = Array.from({ length: parts }, () => new AggregateCounter(examplePolicy));
          const split: string[] = [];
          const order = stream
            .map((c, i) => ({ c, i, r: (i * 7919 + salt) % 101 }))
            .sort((a, b) => a.r - b.r);
          for (const { c } of order) {
            const part = countKeyOf(c).length % parts;
            const { published } = (counters[part] as AggregateCounter).add(c);
            if (published) split.push(JSON.stringify(published.record));
          }
          expect(split.sort()).toEqual(whole.sort());
        },
      ),
    );
  });
});
