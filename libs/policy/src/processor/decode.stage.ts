import { CONSENT_EVIDENCE_EVENT_TYPE, type CloudEvent } from '@app/contracts/cloud-event.types';
import {
  type HeaderValue,
  decodeBinaryCloudEvent,
  decodeStructuredCloudEvent,
  validateCloudEvent,
} from '@app/contracts/cloud-event.decoder';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import {
  checkEvidence,
  checkEvidenceTime,
  collectKeys,
  schemaReason,
  stopIntentOf,
} from '../consent/evidence-check';
import { parseEventTime } from '../consent/event-time';
import { canonicalSubjectKey } from '../consent/subject-key';
import type { CompiledPolicy, EventTypeSpec, TopicBinding } from '../policy-file/compiled-policy.types';

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
  /** The canonical subject key: the event's subject, else the evidence's. */
  readonly subject: string;
  /** The evidence time in epoch ms (its own timestamp, else the event time). */
  readonly at: number;
  /**
   * Set when the evidence failed the contract but still said it is a withdrawal or objection:
   * the reason it is also dead-lettered. Its `evidence` is then the fail-closed reading (withdraw
   * everything, or object), built by the core, not the input.
   */
  readonly unreadable: string | null;
}

/** A source event of a declared source and type, with a subject and a payload its schema accepts. */
export interface DecodedSource {
  readonly kind: 'source';
  readonly event: CloudEvent;
  readonly spec: EventTypeSpec;
  /** The canonical subject key (before identity links). */
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
export function decodeStructured(
  policy: CompiledPolicy,
  input: string | Uint8Array | object,
  topic?: string,
): Decoded {
  const decoded =
    typeof input === 'string' || input instanceof Uint8Array
      ? decodeStructuredCloudEvent(input, policy.options.maxEventBytes)
      : validateCloudEvent(input);
  if (!decoded.ok) return rejected(idOf(input), decoded.code, decoded.reason);
  return checkEvent(policy, decoded.event, topic);
}

/** Stage 1 for a binary-mode CloudEvent (`ce_*` headers, data in the value). */
export function decodeBinary(
  policy: CompiledPolicy,
  headers: Readonly<Record<string, HeaderValue>>,
  value: string | Uint8Array | null,
  topic?: string,
): Decoded {
  const decoded = decodeBinaryCloudEvent(headers, value, policy.options.maxEventBytes);
  if (!decoded.ok) {
    const id = headers['ce_id'];
    return rejected(typeof id === 'string' ? id : null, decoded.code, decoded.reason);
  }
  return checkEvent(policy, decoded.event, topic);
}

/**
 * What the topic an event was read from carries, by the policy's declaration: undefined when the
 * caller read no topic (`govern dry-run` of a mixed file), null when the topic is not declared.
 */
function bindingOf(policy: CompiledPolicy, topic: string | undefined): TopicBinding | null | undefined {
  return topic === undefined ? undefined : (policy.inputTopics.get(topic) ?? null);
}

/** Checks a CloudEvent against the policy: what it is, and whether the core can use it. */
function checkEvent(policy: CompiledPolicy, event: CloudEvent, topic: string | undefined): Decoded {
  const binding = bindingOf(policy, topic);
  if (event.type === CONSENT_EVIDENCE_EVENT_TYPE) return checkEvidenceEvent(policy, event, binding);
  if (!policy.sources.has(event.source))
    return rejected(event.id, 'unknown-source', 'source: not declared in the policy', event);
  const spec = policy.eventTypesBySource.get(event.source)?.get(event.type);
  if (spec === undefined)
    return rejected(event.id, 'unknown-type', 'type: not declared for this source in the policy', event);
  // A source system can write only its own topic (the cluster's ACLs): an event naming another
  // source must not be decided as that source's, whose data may have other purposes and consent.
  if (binding !== undefined && (binding?.kind !== 'source' || binding.source !== event.source))
    return rejected(
      event.id,
      'source-topic-mismatch',
      'source: not the source the policy declares for the topic this event was read from',
      event,
    );
  if (event.subject === undefined || event.subject.trim() === '')
    return rejected(event.id, 'missing-subject', 'subject: required for source events', event);
  if (!spec.validate(event.data)) {
    // Only names the event type's schema declares may appear in the reason, never an input key.
    const reason = schemaReason(spec.validate.errors, collectKeys(spec.validate.schema, new Set()));
    return rejected(event.id, 'schema-violation', reason, event);
  }
  const t = parseEventTime(event.time);
  return { kind: 'source', event, spec, subject: canonicalSubjectKey(event.subject), t };
}

/** A bounded, non-empty string, or null. */
function keyText(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' && v.length <= 256 ? v : null;
}

/**
 * Consent evidence: only from a declared evidence source (and, in the engine, the evidence topic),
 * checked strictly against the contract, its time within the allowed skew of the event time.
 */
function checkEvidenceEvent(
  policy: CompiledPolicy,
  event: CloudEvent,
  binding: TopicBinding | null | undefined,
): Decoded {
  // A source system writing this type to its own topic must not be able to grant consent.
  if (!policy.options.consentEvidenceSources.has(event.source))
    return rejected(
      event.id,
      'unexpected-evidence-source',
      'source: not a declared consent evidence source',
      event,
    );
  if (binding !== undefined && binding?.kind !== 'evidence')
    return rejected(
      event.id,
      'unexpected-evidence-source',
      'topic: consent evidence is read from the topic the policy declares for it only',
      event,
    );
  const eventAt = parseEventTime(event.time);
  const checked = checkEvidence(event.data);
  let problem: string | null = checked.ok ? null : checked.reason;
  let subject: string | null = null;
  let at = eventAt;
  if (checked.ok) {
    const evidence = checked.evidence;
    at = parseEventTime(evidence.timestamp);
    problem = checkEvidenceTime(at, eventAt, policy.options.maxEvidenceSkewMs);
    const own = canonicalSubjectKey(evidence.subject.key);
    subject = event.subject === undefined ? own : canonicalSubjectKey(event.subject);
    if (problem === null && subject !== own)
      problem = 'data.subject.key: must name the same subject as the event';
    if (problem === null) return { kind: 'evidence', event, evidence, subject, at, unreadable: null };
  }
  return unreadableEvidence(event, problem ?? 'data: invalid', subject, eventAt);
}

/**
 * Evidence that failed the contract is dead-lettered and grants nothing. A withdrawal or
 * objection is also honoured in the widest reading (everything withdrawn, or an objection), as of
 * the event time: the person's wish to stop wins over a malformed message. Its subject is the
 * event's subject, else the evidence's, if either can be read.
 */
function unreadableEvidence(
  event: CloudEvent,
  reason: string,
  known: string | null,
  eventAt: number,
): Decoded {
  const data = event.data as Record<string, unknown> | null;
  const intent = stopIntentOf(data);
  const inner =
    typeof data?.subject === 'object' && data.subject !== null
      ? (data.subject as Record<string, unknown>).key
      : undefined;
  const raw = known ?? keyText(event.subject) ?? keyText(inner);
  if (intent === null || raw === null) return rejected(event.id, 'invalid-evidence', reason, event);
  const subject = known ?? canonicalSubjectKey(raw);
  const evidence: ConsentEvidence = {
    evidenceId: keyText(data?.evidenceId) ?? event.id,
    kind: intent,
    subject: { key: subject },
    timestamp: event.time,
    ...(intent === 'withdrawal' ? { withdrawal: { all: true } } : {}),
  };
  return { kind: 'evidence', event, evidence, subject, at: eventAt, unreadable: reason };
}
