import { type IHeaders, type KafkaMessage } from 'kafkajs';

/**
 * Headers the identity router adds to every record it writes to the `routed` topic. The decision
 * stage reads them to tell events from handover markers, and to name the original input in dead
 * letters (the routed copy's own coordinates would mean nothing to whoever replays the input).
 */
export const ROUTE_HEADERS = {
  kind: 'route.kind',
  topic: 'route.source.topic',
  partition: 'route.source.partition',
  offset: 'route.source.offset',
  /**
   * The router's route position: it numbers every record it writes to `routed` (events and
   * markers), increasing, and keeps the number in its changelog. A task names the position it had
   * reached when it tells the router that it holds no state for a key any more (a release).
   */
  position: 'route.position',
} as const;

export type RoutedKind = 'event' | 'export' | 'import';

/**
 * A handover marker: at an identity link, the keys' consent state must leave the task of `from`
 * (export) and arrive in the task of `to` (import) before the link is decided there. `id` is the
 * router's handover sequence number: it grows in the order the router writes markers and is kept
 * in the router's changelog, so it is the same on every retry and after a restart.
 */
export interface HandoverMarker {
  readonly id: number;
  readonly keys: readonly string[];
  readonly from: string;
  readonly to: string;
}

/** The exported state of a marker's keys (null: the key had no state), sent by the old home. */
export interface HandoverStates {
  readonly id: number;
  readonly states: readonly (readonly [string, unknown])[];
}

const text = (v: IHeaders[string]): string | undefined => {
  const first = Array.isArray(v) ? (v as (string | Buffer)[])[0] : v;
  return first === undefined ? undefined : first.toString();
};

/** The route position of a routed record; undefined when it has none (written before positions existed). */
export function routePositionOf(headers: IHeaders | undefined): number | undefined {
  const v = text(headers?.[ROUTE_HEADERS.position]);
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

export function routedKind(headers: IHeaders | undefined): RoutedKind {
  const k = text(headers?.[ROUTE_HEADERS.kind]);
  return k === 'export' || k === 'import' ? k : 'event';
}

/** Headers of a routed event: the original ones plus where the event was read. */
export function routedEventHeaders(
  headers: IHeaders | undefined,
  origin: { topic: string; partition: number; offset: string },
  position: number,
): IHeaders {
  return {
    ...(headers ?? {}),
    [ROUTE_HEADERS.kind]: 'event',
    [ROUTE_HEADERS.position]: String(position),
    [ROUTE_HEADERS.topic]: origin.topic,
    [ROUTE_HEADERS.partition]: String(origin.partition),
    [ROUTE_HEADERS.offset]: origin.offset,
  };
}

/**
 * The input as it was before routing: its topic, partition and the message with its original
 * offset and headers (route headers removed), for decisions and dead letters. A record without
 * route headers is returned as read.
 */
export function originOf(
  message: KafkaMessage,
  read: { topic: string; partition: number },
): { topic: string; partition: number; message: KafkaMessage } {
  const h = message.headers ?? {};
  const topic = text(h[ROUTE_HEADERS.topic]);
  const partition = text(h[ROUTE_HEADERS.partition]);
  const offset = text(h[ROUTE_HEADERS.offset]);
  if (topic === undefined || partition === undefined || offset === undefined) return { ...read, message };
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(h)) if (!name.startsWith('route.')) headers[name] = value;
  const original = { ...message, offset, headers } as KafkaMessage;
  return { topic, partition: Number(partition), message: original };
}
