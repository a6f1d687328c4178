import { CONSENT_EVIDENCE_EVENT_TYPE, type CloudEvent } from '@app/contracts/cloud-event.types';
import {
  type HeaderValue,
  decodeBinaryCloudEvent,
  decodeStructuredCloudEvent,
  validateCloudEvent,
} from '@app/contracts/cloud-event.decoder';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import { checkEvidenceShape } from '../consent/consent-evidence.assessor';
import { parseEventTime } from '../consent/event-time';
import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';

/** Input that is not a usable event; it becomes a dead letter. */
export interface Rejected {
  readonly kind: 'rejected';
  readonly eventId: string | null;
  /** The event when the envelope was readable (its subject and time go into the dead letter). */
  readonly event: CloudEvent | null;
  readonly code: DeadLetterCode;
  readonly reason: string;
}

/** A consent evidence event whose evidence has the contract's shape. */
export interface DecodedEvidence {
  readonly kind: 'evidence';
  readonly event: CloudEvent;
  readonly evidence: ConsentEvidence;
  /** The subject key as sent: the event's subject, else the evidence's. */
  readonly subject: string;
  /** The evidence time in epoch ms (its own timestamp, else the event time). */
  readonly at: number;
}

/** A source event of a declared source and type, with a subject and a payload its schema accepts. */
export interface DecodedSource {
  readonly kind: 'source';
  readonly event: CloudEvent;
  readonly spec: EventTypeSpec;
  /** The subject key as sent (before identity links). */
  readonly subject: string;
  /** The event time (the data's collection time) in epoch ms. */
  readonly t: number;
}

/** What the decode stage makes of one input. */
export type Decoded = Rejected | DecodedEvidence | DecodedSource;

function rejected(
  eventId: string | null,
  code: DeadLetterCode,
  reason: string,
  event: CloudEvent | null = null,
): Rejected {
  return { kind: 'rejected', eventId, event, code, reason };
}

function idOf(input: unknown): string | null {
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    const id = (input as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}

/**
 * Stage 1 for a structured-mode CloudEvent: raw JSON text/bytes (as read from Kafka or a file) or
 * an already parsed object.
 */
export function decodeStructured(policy: CompiledPolicy, input: string | Uint8Array | object): Decoded {
  const decoded =
    typeof input === 'string' || input instanceof Uint8Array
      ? decodeStructuredCloudEvent(input, policy.options.maxEventBytes)
      : validateCloudEvent(input);
  if (!decoded.ok) return rejected(idOf(input), decoded.code, decoded.reason);
  return checkEvent(policy, decoded.event);
}

/** Stage 1 for a binary-mode CloudEvent (`ce_*` headers, data in the value). */
export function decodeBinary(
  policy: CompiledPolicy,
  headers: Readonly<Record<string, HeaderValue>>,
  value: string | Uint8Array | null,
): Decoded {
  const decoded = decodeBinaryCloudEvent(headers, value, policy.options.maxEventBytes);
  if (!decoded.ok) {
    const id = headers['ce_id'];
    return rejected(typeof id === 'string' ? id : null, decoded.code, decoded.reason);
  }
  return checkEvent(policy, decoded.event);
}

/** Checks a CloudEvent against the policy: what it is, and whether the core can use it. */
function checkEvent(policy: CompiledPolicy, event: CloudEvent): Decoded {
  if (event.type === CONSENT_EVIDENCE_EVENT_TYPE) {
    const shape = checkEvidenceShape(event.data);
    if (shape !== null) return rejected(event.id, 'invalid-evidence', shape, event);
    const evidence = event.data as ConsentEvidence;
    return {
      kind: 'evidence',
      event,
      evidence,
      subject: event.subject ?? evidence.subject.key,
      at: parseEventTime(evidence.timestamp) || parseEventTime(event.time),
    };
  }
  if (!policy.sources.has(event.source))
    return rejected(event.id, 'unknown-source', 'source: not declared in the policy', event);
  const spec = policy.eventTypesBySource.get(event.source)?.get(event.type);
  if (spec === undefined)
    return rejected(event.id, 'unknown-type', 'type: not declared for this source in the policy', event);
  if (event.subject === undefined || event.subject === '')
    return rejected(event.id, 'missing-subject', 'subject: required for source events', event);
  if (!spec.validate(event.data)) {
    const e = spec.validate.errors?.[0];
    const where = e === undefined ? 'data' : `data${e.instancePath.replace(/\//g, '.')}`;
    return rejected(event.id, 'schema-violation', `${where}: ${e?.message ?? 'invalid'}`, event);
  }
  return { kind: 'source', event, spec, subject: event.subject, t: parseEventTime(event.time) };
}
