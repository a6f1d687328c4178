import type { CloudEvent } from '@app/contracts/cloud-event.types';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import type { GovernedRecord } from '@app/contracts/governed-record.types';
import type { LineageRecord } from '@app/contracts/lineage-record.types';
import { decisionId, type Pseudonymiser } from '../decision/decision-id';
import type { DestinationDecision } from '../decision/destination-decision';
import type { CompiledPolicy, Destination, EventTypeSpec } from '../policy-file/compiled-policy.types';
import type { EvidenceDecision, SourceDecisions } from './decide.stage';
import type { IdentityLink } from './subject.stage';

/** What one event leaves behind: records for the destinations and lineage for the audit log. */
export interface Emitted {
  readonly records: GovernedRecord[];
  readonly lineage: LineageRecord[];
}

/** Sets `value` at the nested path `segments` of `target`, creating the objects on the way. */
function setPath(target: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = target;
  for (const s of segments.slice(0, -1)) {
    let next = node[s] as Record<string, unknown> | undefined;
    if (next === undefined) {
      next = {};
      node[s] = next;
    }
    node = next;
  }
  node[segments[segments.length - 1] as string] = value;
}

/**
 * Stage 4: turns decisions into governed records and lineage records (R27). Identifiers leave
 * only as keyed pseudonyms in lineage, and as pseudonyms in records of destinations that ask for
 * them; attribute values never enter lineage.
 */
export class RecordEmitter {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly pseudonyms: Pseudonymiser,
  ) {}

  /** The subject key as a destination receives it. */
  private keyFor(destination: Destination, subjectKey: string): string {
    return destination.identifiers === 'pseudonym' ? this.pseudonyms.of(subjectKey) : subjectKey;
  }

  /** Lineage of an identity link, accepted or refused (R25). */
  identityLink(event: CloudEvent, subjectKey: string, link: IdentityLink): LineageRecord {
    return {
      kind: 'identity-link',
      policyVersion: this.policy.version,
      eventId: event.id,
      subject: this.pseudonyms.of(subjectKey),
      time: event.time,
      // Which identifier was joined (or refused), so a grant that came with it can be traced (R27).
      alias: this.pseudonyms.of(link.alias),
      linked: link.linked,
      rule: 'R25',
      reason: link.linked
        ? `linked under ${link.purpose} consent`
        : `no valid consent for ${link.purpose} on the identifier; the identities stay separate`,
    };
  }

  /** Per destination: the decision's lineage, and a data record unless everything was withheld. */
  source(event: CloudEvent, spec: EventTypeSpec, subjectKey: string, decided: SourceDecisions): Emitted {
    const records: GovernedRecord[] = [];
    const lineage: LineageRecord[] = [];
    for (const d of decided.decisions) {
      const id = decisionId(this.policy.contentHash, event.id, d.destination.name);
      lineage.push(this.decisionLineage(event, spec, subjectKey, d, id));
      if (d.outcome !== 'withheld') records.push(this.dataRecord(event, spec, subjectKey, d, decided, id));
    }
    return { records, lineage };
  }

  private decisionLineage(
    event: CloudEvent,
    spec: EventTypeSpec,
    subjectKey: string,
    d: DestinationDecision,
    id: string,
  ): LineageRecord {
    const c = d.contact;
    return {
      kind: 'decision',
      policyVersion: this.policy.version,
      decisionId: id,
      eventId: event.id,
      subject: this.pseudonyms.of(subjectKey),
      time: event.time,
      destination: d.destination.name,
      source: spec.source,
      type: spec.type,
      outcome: d.outcome,
      attributes: d.attributes,
      ...(c === null
        ? {}
        : {
            contact: {
              mayContact: c.mayContact,
              trackOpens: c.trackOpens,
              rule: c.rule,
              evidenceId: c.evidenceId,
            },
          }),
    };
  }

  private dataRecord(
    event: CloudEvent,
    spec: EventTypeSpec,
    subjectKey: string,
    d: DestinationDecision,
    decided: SourceDecisions,
    id: string,
  ): GovernedRecord {
    const data: Record<string, unknown> = {};
    decided.walked.present.forEach(({ attribute, value }, i) => {
      const outcome = d.attributes[i]?.outcome;
      if (outcome === 'forward') setPath(data, attribute.segments, value);
      if (outcome === 'pseudonymise') setPath(data, attribute.segments, this.pseudonyms.ofValue(value));
    });
    const key = this.keyFor(d.destination, subjectKey);
    return {
      destination: d.destination.name,
      topic: d.destination.topic,
      key,
      value: {
        kind: 'data',
        eventId: event.id,
        subject: key,
        source: spec.source,
        type: spec.type,
        time: event.time,
        data,
        ...(d.contact === null ? {} : { contact: d.contact }),
      },
      headers: {
        'policy-version': this.policy.version,
        'decision-id': id,
        'record-kind': 'data',
        'event-id': event.id,
      },
    };
  }

  /** The assessment's lineage, then per suppression (R18/R19) a record and its lineage. */
  evidence(
    event: CloudEvent,
    evidence: ConsentEvidence,
    subjectKey: string,
    decided: EvidenceDecision,
  ): Emitted {
    const { assessment, fold } = decided;
    const version = this.policy.version;
    const subject = this.pseudonyms.of(subjectKey);
    const lineage: LineageRecord[] = [
      {
        kind: 'consent-assessment',
        policyVersion: version,
        eventId: event.id,
        subject,
        time: evidence.timestamp,
        evidenceId: evidence.evidenceId,
        evidenceKind: evidence.kind,
        valid: assessment.valid,
        reason: assessment.reason,
        rule: assessment.rule,
        purposes: assessment.claimedPurposes,
        formVersion: typeof evidence.formVersion === 'string' ? evidence.formVersion : null,
        grants: fold.grantedPurposes,
        confirms: typeof evidence.confirms === 'string' ? evidence.confirms : null,
      },
    ];
    const records: GovernedRecord[] = [];
    const rule = fold.objection ? 'R19' : 'R18';
    for (const { destination, purposes } of decided.suppressions) {
      const id = decisionId(this.policy.contentHash, event.id, destination.name, 'suppression');
      const key = this.keyFor(destination, subjectKey);
      records.push({
        destination: destination.name,
        topic: destination.topic,
        key,
        value: {
          kind: 'suppression',
          eventId: event.id,
          subject: key,
          time: evidence.timestamp,
          purposes,
          reason: fold.objection ? 'objection' : 'consent-withdrawn',
          rule,
          evidenceId: evidence.evidenceId,
        },
        headers: {
          'policy-version': version,
          'decision-id': id,
          'record-kind': 'suppression',
          'event-id': event.id,
        },
      });
      lineage.push({
        kind: 'suppression',
        policyVersion: version,
        decisionId: id,
        eventId: event.id,
        subject,
        time: evidence.timestamp,
        destination: destination.name,
        purposes,
        rule,
        evidenceId: evidence.evidenceId,
      });
    }
    return { records, lineage };
  }

  /** The lineage of input that could not be processed: id, code and reason, never the content. */
  deadLetter(
    eventId: string | null,
    event: CloudEvent | null,
    code: DeadLetterCode,
    reason: string,
    line: number | undefined,
  ): LineageRecord {
    return {
      kind: 'dead-letter',
      policyVersion: this.policy.version,
      eventId,
      subject: typeof event?.subject === 'string' ? this.pseudonyms.of(event.subject) : null,
      time: event?.time ?? null,
      code,
      reason: line === undefined ? reason : `${reason} (line ${line})`,
    };
  }
}
