import { isBinaryModeCloudEvent, type HeaderValue } from '@app/contracts/cloud-event.decoder';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import { assessEvidence } from '../consent/consent-evidence.assessor';
import { assessmentFacts, type AssessmentFacts } from '../consent/assessment-facts';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import { decodeBinary, decodeStructured } from './decode.stage';

/**
 * One record of the consent evidence topic as the engine reads it, assessed without any person's
 * state: what the consent ledger stores for it.
 */
export type EvidenceEventAssessment =
  | {
      readonly outcome: 'assessed';
      readonly eventId: string;
      /** The canonical subject key (clear: the caller pseudonymises it before storing). */
      readonly subjectKey: string;
      /** The event's `time` (when the evidence was received). */
      readonly eventTime: string;
      /** The evidence as assessed: for an unreadable stop, the core's fail-closed reading. */
      readonly evidence: ConsentEvidence;
      readonly facts: AssessmentFacts;
      /** Set when the evidence failed the contract but was honoured as a stop (also dead-lettered). */
      readonly unreadable: string | null;
    }
  | {
      readonly outcome: 'refused';
      readonly eventId: string | null;
      /** What the engine dead-letters it as; the reason names paths and constraints, never values. */
      readonly code: DeadLetterCode;
      readonly reason: string;
    };

/**
 * Decodes and assesses one record exactly as the engine's processor does (same decode stage, same
 * assessment, same facts), for the evidence topic `topic` in the policy's names. Never throws on
 * input. What it cannot see: duplicates and the person's state, which only the engine holds.
 */
export function assessEvidenceEvent(
  policy: CompiledPolicy,
  record: {
    readonly value: string | Uint8Array | null;
    readonly headers?: Readonly<Record<string, HeaderValue>>;
  },
  topic?: string,
): EvidenceEventAssessment {
  const headers = record.headers ?? {};
  const decoded = isBinaryModeCloudEvent(headers)
    ? decodeBinary(policy, headers, record.value, topic)
    : decodeStructured(policy, record.value ?? new Uint8Array(0), topic);
  if (decoded.kind === 'rejected')
    return { outcome: 'refused', eventId: decoded.eventId, code: decoded.code, reason: decoded.reason };
  if (decoded.kind === 'source')
    return {
      outcome: 'refused',
      eventId: decoded.event.id,
      code: 'unexpected-evidence-source',
      reason: 'type: not consent evidence',
    };
  const assessment = assessEvidence(policy, decoded.evidence, decoded.unreadable !== null);
  return {
    outcome: 'assessed',
    eventId: decoded.event.id,
    subjectKey: decoded.subject,
    eventTime: decoded.event.time,
    evidence: decoded.evidence,
    facts: assessmentFacts(policy, decoded.evidence, assessment),
    unreadable: decoded.unreadable,
  };
}
