import { type IHeaders, type KafkaMessage } from 'kafkajs';
import { isBinaryModeCloudEvent, type HeaderValue } from '@app/contracts';
import { type OutputRecord } from '@app/kafka';
import { type IdentityHomes } from './identity-homes';
import { type HandoverMarker, ROUTE_HEADERS, routedEventHeaders } from './routed-record';

/** Where the router writes and how it places keys (the partition count of `routed` and `homes`). */
export interface RouteTargets {
  readonly routed: string;
  readonly homes: string;
  /** The partition of `key` on `routed` (and `homes`, which has the same count). */
  readonly partitionOf: (key: string) => number;
}

/**
 * The homes changelog key under which the router keeps its handover sequence and route position
 * (never a subject: a subject key is never empty).
 */
export const SEQUENCE_KEY = '';

/** One raw input record as the router read it. */
export interface RouterInput {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** The router's numbering besides the table: the last handover id and the last route position handed out. */
export interface RouterSequence {
  last: number;
  /** Route position of the last record written to `routed` (see `ROUTE_HEADERS.position`). */
  position: number;
}

/** The value of the {@link SEQUENCE_KEY} entry. */
export function sequenceValue(sequence: RouterSequence): string {
  return JSON.stringify({ handover: sequence.last, position: sequence.position });
}

/**
 * Reads the {@link SEQUENCE_KEY} entry. A bare number is the handover sequence as versions before
 * route positions wrote it (positions then start at 0). Anything else unreadable is an error: a
 * sequence read as 0 would hand out handover ids again.
 */
export function parseSequenceValue(value: string | null): RouterSequence {
  if (value === null) return { last: 0, position: 0 };
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (/^\d{1,15}$/.test(value)) return { last: Number(value), position: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = null;
  }
  const { handover, position } = (parsed ?? {}) as { handover?: unknown; position?: unknown };
  if (!count(handover) || !count(position))
    throw new Error('identity homes changelog: the router sequence entry is not readable');
  return { last: handover, position };
}

/**
 * Told where routed records went, for the rule that shrinks the table (`HomeReleases`): the route
 * position of every record routed to a home, and every home group that moved to another home.
 */
export interface RouteTracker {
  routed(home: string, position: number): void;
  handedOver(from: string): void;
}

/** What routing sees of an event: subject, source, type and data (binary mode: from the headers). */
function eventOf(headers: IHeaders | undefined, value: Buffer | null): string | object {
  const h = (headers ?? {}) as Readonly<Record<string, HeaderValue>>;
  if (!isBinaryModeCloudEvent(h)) return value === null ? '' : value.toString('utf8');
  const text = (name: string): string | undefined => {
    const v = h[name];
    const first = Array.isArray(v) ? (v as readonly (string | Uint8Array)[])[0] : v;
    return first === undefined ? undefined : Buffer.from(first as string | Uint8Array).toString('utf8');
  };
  let data: unknown;
  try {
    data = value === null ? undefined : (JSON.parse(value.toString('utf8')) as unknown);
  } catch {
    data = undefined;
  }
  return { subject: text('ce_subject'), source: text('ce_source'), type: text('ce_type'), data };
}

/**
 * Routes one raw input in produced order: the event goes to `routed` keyed by its home (the task
 * that holds the state it is decided on), with its original timestamp and headers. At an identity
 * link whose alias lives in another task, two markers go first: "export these keys" to the old
 * home's task and "import them" to the new home's, both before the link itself reaches the new
 * home. The table's change goes to the `homes` changelog. Records without a subject keep their key
 * and partition (they are dead letters wherever they are decided).
 */
export function routeOne(
  homes: IdentityHomes,
  input: RouterInput,
  targets: RouteTargets,
  sequence: RouterSequence,
  out: OutputRecord[],
  tracker?: RouteTracker,
): void {
  const { message } = input;
  const route = homes.route(eventOf(message.headers, message.value));
  const ts = message.timestamp;
  const h = route.handover;
  if (h !== null) {
    // Every moved key gets its new home: the table stays flat (see IdentityHomes).
    for (const key of h.keys)
      out.push({ topic: targets.homes, key, value: h.to, partition: targets.partitionOf(key) });
    tracker?.handedOver(h.from);
    const from = targets.partitionOf(h.from);
    const to = targets.partitionOf(h.to);
    if (from !== to) {
      sequence.last += 1;
      const marker: HandoverMarker = { id: sequence.last, keys: h.keys, from: h.from, to: h.to };
      const value = JSON.stringify(marker);
      const exported = (sequence.position += 1);
      const imported = (sequence.position += 1);
      out.push(
        {
          topic: targets.routed,
          key: h.from,
          value,
          partition: from,
          timestamp: ts,
          headers: { [ROUTE_HEADERS.kind]: 'export', [ROUTE_HEADERS.position]: String(exported) },
        },
        {
          topic: targets.routed,
          key: h.to,
          value,
          partition: to,
          timestamp: ts,
          headers: { [ROUTE_HEADERS.kind]: 'import', [ROUTE_HEADERS.position]: String(imported) },
        },
      );
      tracker?.routed(h.to, imported);
    }
  }
  const home = route.homeKey;
  const position = (sequence.position += 1);
  if (home !== null) tracker?.routed(home, position);
  out.push({
    topic: targets.routed,
    key: home ?? message.key,
    value: message.value,
    partition: home === null ? input.partition : targets.partitionOf(home),
    timestamp: ts,
    headers: routedEventHeaders(
      message.headers,
      {
        topic: input.topic,
        partition: input.partition,
        offset: message.offset,
      },
      position,
    ),
  });
}
