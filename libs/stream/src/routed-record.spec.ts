import { type KafkaMessage } from 'kafkajs';
import { originOf, ROUTE_HEADERS, routedEventHeaders, routedKind, routePositionOf } from './routed-record';

const message = (headers: KafkaMessage['headers'], offset = '42'): KafkaMessage =>
  ({
    key: Buffer.from('c-1'),
    value: Buffer.from('{}'),
    timestamp: '1000',
    attributes: 0,
    offset,
    headers,
  }) as KafkaMessage;

describe('routed records', () => {
  it('carry the original coordinates and headers, which the decision stage gets back', () => {
    const headers = routedEventHeaders({ ce_id: 'e-1' }, { topic: 'web', partition: 3, offset: '17' }, 9);
    expect(routedKind(headers)).toBe('event');
    expect(routePositionOf(headers)).toBe(9);
    const origin = originOf(message(headers), { topic: 'routed', partition: 1 });
    expect(origin.topic).toBe('web');
    expect(origin.partition).toBe(3);
    expect(origin.message.offset).toBe('17');
    // The route headers, the position among them, are the router's, not the input's.
    expect(origin.message.headers).toEqual({ ce_id: 'e-1' });
    expect(origin.message.value?.toString()).toBe('{}');
  });

  it('tells markers from events; a record without route headers is its own origin', () => {
    expect(routedKind({ [ROUTE_HEADERS.kind]: Buffer.from('export') })).toBe('export');
    expect(routedKind({ [ROUTE_HEADERS.kind]: 'import' })).toBe('import');
    expect(routedKind(undefined)).toBe('event');
    const m = message({ ce_id: 'x' });
    expect(originOf(m, { topic: 'web', partition: 0 })).toEqual({ topic: 'web', partition: 0, message: m });
  });

  it('read a route position only when it is a plain non-negative integer', () => {
    expect(routePositionOf({ [ROUTE_HEADERS.position]: Buffer.from('12') })).toBe(12);
    expect(routePositionOf({ [ROUTE_HEADERS.position]: '0' })).toBe(0);
    for (const bad of ['', '-1', '1.5', '1e3', ' 7', '9999999999999999'])
      expect(routePositionOf({ [ROUTE_HEADERS.position]: bad })).toBeUndefined();
    expect(routePositionOf({})).toBeUndefined();
    expect(routePositionOf(undefined)).toBeUndefined();
  });
});
