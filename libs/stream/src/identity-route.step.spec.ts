import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaMessage } from 'kafkajs';
import { type OutputRecord } from '@app/kafka';
import { loadPolicy } from '@app/policy';
import { IdentityHomes } from './identity-homes';
import {
  parseSequenceValue,
  routeOne,
  type RouteTargets,
  type RouteTracker,
  sequenceValue,
} from './identity-route.step';
import { ROUTE_HEADERS, type HandoverMarker } from './routed-record';

const policy = loadPolicy(readFileSync(join(__dirname, '../../../policies/example.yaml'), 'utf8'), {
  fileName: 'example.yaml',
});
// Partition = the key's first letter's place in this list; `other` for anything else.
const placement: Record<string, number> = { c: 0, k: 1, x: 1 };
const targets: RouteTargets = {
  routed: 'routed',
  homes: 'homes',
  partitionOf: (key) => placement[key[0] as string] ?? 3,
};
let offset = 0;
const msg = (event: object | string, timestamp = '1000'): KafkaMessage =>
  ({
    key: null,
    value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)),
    timestamp,
    attributes: 0,
    offset: String(offset++),
    headers: { trace: 't' },
  }) as KafkaMessage;
const ce = (subject: string, type: string, data: object = {}): object => ({
  specversion: '1.0',
  id: `${type}-${subject}-${offset}`,
  source: 'web',
  type,
  subject,
  data,
});
const kindOf = (r: OutputRecord): unknown => r.headers?.[ROUTE_HEADERS.kind];
const positionOf = (r: OutputRecord): unknown => r.headers?.[ROUTE_HEADERS.position];

describe('routeOne', () => {
  it('routes by home; at a link across tasks, export and import markers precede the link', () => {
    const homes = new IdentityHomes(policy);
    const sequence = { last: 4, position: 0 };
    const out: OutputRecord[] = [];
    routeOne(
      homes,
      { topic: 'web', partition: 1, message: msg(ce('k-1', 'page.viewed')) },
      targets,
      sequence,
      out,
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ topic: 'routed', key: 'k-1', partition: 1, timestamp: '1000' });
    expect(out[0]?.headers).toMatchObject({
      trace: 't',
      [ROUTE_HEADERS.topic]: 'web',
      [ROUTE_HEADERS.partition]: '1',
    });

    out.length = 0;
    const link = msg(ce('c-1', 'identity.linked', { cookieId: 'k-1' }), '2000');
    routeOne(homes, { topic: 'web', partition: 0, message: link }, targets, sequence, out);
    expect(out.map((r) => [r.topic, r.key, r.partition, kindOf(r)])).toEqual([
      ['homes', 'k-1', 1, undefined],
      ['routed', 'k-1', 1, 'export'],
      ['routed', 'c-1', 0, 'import'],
      ['routed', 'c-1', 0, 'event'],
    ]);
    const marker = JSON.parse(out[1]?.value as string) as HandoverMarker;
    expect(marker).toEqual({ id: 5, keys: ['k-1'], from: 'k-1', to: 'c-1' });
    expect(out[2]?.value).toBe(out[1]?.value);
    expect(out[1]?.timestamp).toBe('2000');
    expect(out[1]?.value).toBe(JSON.stringify(marker));
    expect(out[0]?.value).toBe('c-1');
    expect(sequence.last).toBe(5);

    // The cookie's later events (consent evidence included) go to the customer's task.
    out.length = 0;
    routeOne(
      homes,
      { topic: 'web', partition: 1, message: msg(ce('k-1', 'page.viewed')) },
      targets,
      sequence,
      out,
    );
    expect(out.map((r) => [r.key, r.partition])).toEqual([['c-1', 0]]);

    // c-1 (with k-1 homed at it) becomes the alias of c-2: both keys get their new home.
    out.length = 0;
    routeOne(
      homes,
      { topic: 'crm', partition: 0, message: msg(ce('c-2', 'identity.linked', { cookieId: 'c-1' }), '3000') },
      targets,
      sequence,
      out,
    );
    expect(out.filter((r) => r.topic === 'homes').map((r) => [r.key, r.value])).toEqual([
      ['c-1', 'c-2'],
      ['k-1', 'c-2'],
    ]);
  });

  it('moves nothing when both homes share a task; a record without subject keeps its partition', () => {
    const homes = new IdentityHomes(policy);
    const sequence = { last: 0, position: 0 };
    const out: OutputRecord[] = [];
    routeOne(
      homes,
      { topic: 'web', partition: 1, message: msg(ce('k-2', 'identity.linked', { cookieId: 'x-2' })) },
      targets,
      sequence,
      out,
    );
    expect(out.map((r) => [r.topic, r.key, kindOf(r)])).toEqual([
      ['homes', 'x-2', undefined],
      ['routed', 'k-2', 'event'],
    ]);
    expect(sequence.last).toBe(0);
    out.length = 0;
    routeOne(homes, { topic: 'web', partition: 2, message: msg('{not json') }, targets, sequence, out);
    expect(out.map((r) => [r.key, r.partition])).toEqual([[null, 2]]);
  });

  it('routes binary-mode events by their ce_ headers', () => {
    const homes = new IdentityHomes(policy);
    homes.restore('k-3', 'c-3');
    const out: OutputRecord[] = [];
    const m = msg({ path: '/' });
    m.headers = {
      ce_specversion: '1.0',
      ce_subject: Buffer.from('k-3'),
      ce_source: 'web',
      ce_type: 'page.viewed',
    };
    routeOne(homes, { topic: 'web', partition: 1, message: m }, targets, { last: 0, position: 0 }, out);
    expect(out.map((r) => [r.key, r.partition])).toEqual([['c-3', 0]]);
  });

  it('numbers every routed record, markers included, and tells the tracker where each went', () => {
    const homes = new IdentityHomes(policy);
    const sequence = { last: 0, position: 10 };
    const notes: string[] = [];
    const tracker: RouteTracker = {
      routed: (home, position) => notes.push(`${home}@${position}`),
      handedOver: (from) => notes.push(`moved ${from}`),
    };
    const out: OutputRecord[] = [];
    const route = (event: object | string, partition = 0): void =>
      routeOne(homes, { topic: 'web', partition, message: msg(event) }, targets, sequence, out, tracker);
    route(ce('k-5', 'page.viewed'), 1);
    route(ce('c-5', 'identity.linked', { cookieId: 'k-5' }));
    route('{not json', 2);
    const routed = out.filter((r) => r.topic === 'routed');
    expect(routed.map((r) => [kindOf(r), positionOf(r)])).toEqual([
      ['event', '11'],
      ['export', '12'],
      ['import', '13'],
      ['event', '14'],
      ['event', '15'],
    ]);
    expect(sequence.position).toBe(15);
    // A record without subject is numbered but routed to no home.
    expect(notes).toEqual(['k-5@11', 'moved k-5', 'c-5@13', 'c-5@14']);
  });

  it('keeps handover sequence and route position in one changelog value, and reads the older form', () => {
    const value = sequenceValue({ last: 3, position: 120 });
    expect(parseSequenceValue(value)).toEqual({ last: 3, position: 120 });
    expect(parseSequenceValue('7')).toEqual({ last: 7, position: 0 });
    expect(parseSequenceValue(null)).toEqual({ last: 0, position: 0 });
    for (const bad of ['x', '{"handover":1}', '{"handover":-1,"position":2}', '[]', '-3'])
      expect(() => parseSequenceValue(bad)).toThrow('router sequence entry is not readable');
  });
});
