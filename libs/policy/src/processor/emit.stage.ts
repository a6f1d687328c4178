import type { CloudEvent } from '@app/contracts/cloud-event.types';
import { assessmentFacts } from '../consent/assessment-facts';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import type {
  GovernedDataValue,
  GovernedRecord,
  SuppressionStateRecord,
} from '@app/contracts/governed-record.types';
import { LINEAGE_VERSION, type LineageRecord } from '@app/contracts/lineage-record.types';
import { claimantSuppressionId, decisionId } from '../decision/decision-id';
import {
  destinationScope,
  LINEAGE_SCOPE,
  type PseudonymKeyring,
  Pseudonymiser,
} from '../decision/pseudonym-keys';
import { canonicalSubjectKey } from '../consent/subject-key';
import type { DestinationDecision } from '../decision/destination-decision';
import { decisionRecord } from '../lineage/decision-digest';
import type { ElementValues } from '../decision/payload.walker';
import type {
  CompiledPolicy,
  DeclaredAttribute,
  Destination,
  EventTypeSpec,
} from '../policy-file/compiled-policy.types';
import type { EvidenceDecision, SourceDecisions, StopsDecision } from './decide.stage';
import type { EvidenceRef } from '../consent/consent-state.types';
import type { IdentityLink, Subject } from './subject.stage';

/** What one event leaves behind: records for the destinations and lineage for the audit log. */
export interface Emitted {
  readonly records: GovernedRecord[];
  readonly lineage: LineageRecord[];
  /** For consent evidence: the records of the compacted suppression topics it changed. */
  readonly suppressionStates?: SuppressionStateRecord[];
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

/** Arrays declared by element paths, under construction: per array path, the projected elements. */
type ElementArrays = Map<
  string,
  { segments: readonly string[]; elements: (Record<string, unknown> | undefined)[] }
>;

/** Puts a permitted element attribute's value into each element that has it. */
function placeElements(
  arrays: ElementArrays,
  attribute: DeclaredAttribute,
  values: ElementValues,
  out: (value: unknown) => unknown,
): void {
  const key = attribute.segments.join('.');
  let array = arrays.get(key);
  if (array === undefined) {
    array = { segments: attribute.segments, elements: new Array<undefined>(values.length).fill(undefined) };
    arrays.set(key, array);
  }
  const members = attribute.element?.memberSegments ?? [];
  values.forEach((v, i) => {
    if (v === undefined || array === undefined) return;
    setPath((array.elements[i] ??= {}), members, out(v));
  });
}

/**
 * Sets each array of permitted element members. An element with no permitted member is dropped,
 * not sent as an empty object: it would tell the destination that there was a line, and nothing of
 * it is permitted (minimisation). Element order is kept.
 */
function setElementArrays(data: Record<string, unknown>, arrays: ElementArrays): void {
  for (const { segments, elements } of arrays.values())
    setPath(
      data,
      segments,
      elements.filter((e): e is Record<string, unknown> => e !== undefined),
    );
}

/** A record under construction: the optional `contact` is added last, as in the JSON. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A subject's key, and its lineage pseudonym: what lineage names it by (R27). */
interface SubjectIds {
  readonly key: string;
  readonly pseudonym: string;
}

/**
 * Stage 4: turns decisions into governed records and lineage records (R27). Identifiers leave
 * only as keyed pseudonyms in lineage, and as pseudonyms in records of destinations that ask for
 * them; attribute values never enter lineage. The lineage and each destination have their own
 * derived key (see pseudonym-keys.ts), so their pseudonyms of one person cannot be joined.
 */
export class RecordEmitter {
  private readonly lineagePseudonyms: Pseudonymiser;
  private readonly destinationPseudonyms: ReadonlyMap<string, Pseudonymiser>;

  constructor(
    private readonly policy: CompiledPolicy,
    keyring: PseudonymKeyring,
  ) {
    this.lineagePseudonyms = new Pseudonymiser(keyring, LINEAGE_SCOPE);
    this.destinationPseudonyms = new Map(
      policy.destinations.map((d) => [d.name, new Pseudonymiser(keyring, destinationScope(d.name))]),
    );
  }

  /** The destination's own pseudonymiser (every declared destination has one). */
  private pseudonymsFor(destination: Destination): Pseudonymiser {
    return this.destinationPseudonyms.get(destination.name) as Pseudonymiser;
  }

  /** The subject key as a destination receives it: as-is, or under the destination's own key. */
  private keyFor(destination: Destination, ids: SubjectIds): string {
    return destination.identifiers === 'pseudonym' ? this.pseudonymsFor(destination).of(ids.key) : ids.key;
  }

  /** The subject's lineage pseudonym, computed once per subject (see {@link Subject.pseudonym}). */
  private pseudonymOf(subject: Subject): string {
    return (subject.pseudonym ??= this.lineagePseudonyms.compute(subject.key));
  }

  /** The subject's key and keyed pseudonym, for the records and lineage of one event. */
  private idsOf(subject: Subject): SubjectIds {
    return { key: subject.key, pseudonym: this.pseudonymOf(subject) };
  }

  /** Lineage of an identity link, accepted or refused (R25). */
  identityLink(event: CloudEvent, subject: Subject, link: IdentityLink): LineageRecord {
    return {
      lineageVersion: LINEAGE_VERSION,
      kind: 'identity-link',
      policyVersion: this.policy.version,
      eventId: event.id,
      subject: this.pseudonymOf(subject),
      time: event.time,
      // Which identifier was joined (or refused), so a grant that came with it can be traced (R27).
      alias:
        link.aliasSubject === undefined
          ? this.lineagePseudonyms.of(link.alias)
          : this.pseudonymOf(link.aliasSubject),
      linked: link.linked,
      // Why refused (the identifier's consent did not hold, or it names another person): a per-person
      // fact the policy cannot give (R27).
      ...(link.linked
        ? {}
        : {
            refusedBy: { reason: link.refusedBy?.reason ?? 'no-consent', rule: link.refusedBy?.rule ?? 'R4' },
          }),
    };
  }

  /** One decision record for the event (lineage v2), and a data record per destination not withheld. */
  source(event: CloudEvent, spec: EventTypeSpec, subject: Subject, decided: SourceDecisions): Emitted {
    const ids = this.idsOf(subject);
    const records: GovernedRecord[] = [];
    for (const d of decided.decisions) {
      if (d.outcome === 'withheld') continue;
      const id = decisionId(this.policy.contentHash, event.id, d.destination.name);
      records.push(this.dataRecord(event, spec, ids, d, decided, id));
    }
    const { walked } = decided;
    const lineage: LineageRecord = decisionRecord(this.policy, {
      eventId: event.id,
      subject: ids.pseudonym,
      time: event.time,
      source: spec.source,
      type: spec.type,
      paths: walked.present.map((p) => p.attribute.path),
      undeclared: walked.undeclared,
      eventType: spec,
      statuses: decided.statuses,
      decisions: decided.decisions,
    });
    return { records, lineage: [lineage] };
  }

  private dataRecord(
    event: CloudEvent,
    spec: EventTypeSpec,
    ids: SubjectIds,
    d: DestinationDecision,
    decided: SourceDecisions,
    id: string,
  ): GovernedRecord {
    const data: Record<string, unknown> = {};
    const present = decided.walked.present;
    const pseudonyms = this.pseudonymsFor(d.destination);
    let arrays: ElementArrays | undefined;
    for (let i = 0; i < present.length; i++) {
      const { attribute, value } = present[i] as (typeof present)[number];
      const outcome = d.attributes[i]?.outcome;
      if (outcome !== 'forward' && outcome !== 'pseudonymise') continue;
      const out = (v: unknown): unknown => (outcome === 'pseudonymise' ? pseudonyms.ofValue(v) : v);
      if (attribute.element === null) setPath(data, attribute.segments, out(value));
      else placeElements((arrays ??= new Map()), attribute, value as ElementValues, out);
    }
    if (arrays !== undefined) setElementArrays(data, arrays);
    const key = this.keyFor(d.destination, ids);
    const value: Writable<GovernedDataValue> = {
      kind: 'data',
      eventId: event.id,
      subject: key,
      source: spec.source,
      type: spec.type,
      time: event.time,
      data,
    };
    if (d.contact !== null) value.contact = d.contact;
    return {
      destination: d.destination.name,
      topic: d.destination.topic,
      key,
      value,
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
    subject: Subject,
    decided: EvidenceDecision,
  ): Emitted {
    const { assessment, fold } = decided;
    const ids = this.idsOf(subject);
    const version = this.policy.version;
    // The facts the consent ledger stores too (same function), then what the fold added.
    const { confirms, ...facts } = assessmentFacts(this.policy, evidence, assessment);
    const lineage: LineageRecord[] = [
      {
        lineageVersion: LINEAGE_VERSION,
        kind: 'consent-assessment',
        policyVersion: version,
        eventId: event.id,
        subject: ids.pseudonym,
        time: evidence.timestamp,
        ...facts,
        reason: fold.note === null ? assessment.reason : `${assessment.reason}; ${fold.note}`,
        ...(fold.grantedPurposes.length > 0 ? { grants: fold.grantedPurposes } : {}),
        ...(confirms !== undefined ? { confirms } : {}),
      },
    ];
    const cited = { evidenceId: evidence.evidenceId, time: evidence.timestamp, objection: fold.objection };
    return this.suppressions(event, ids, cited, decided, lineage);
  }

  /**
   * R18/R19 at a declared identifier's link: the suppressions the stops that came under the
   * identifier imply, citing the objection or withdrawal that took the permission away.
   */
  linkStops(event: CloudEvent, subject: Subject, decided: StopsDecision, shared = false): Emitted {
    const ref = decided.stops.cited as EvidenceRef;
    const cited = {
      evidenceId: ref.evidenceId,
      time: new Date(ref.at).toISOString(),
      objection: decided.stops.objection,
    };
    return this.suppressions(event, this.idsOf(subject), cited, decided, [], shared);
  }

  /** Per suppression a record and its lineage, and the compacted topics' records that changed. */
  private suppressions(
    event: CloudEvent,
    ids: SubjectIds,
    cited: { readonly evidenceId: string; readonly time: string; readonly objection: boolean },
    decided: Pick<EvidenceDecision, 'suppressions' | 'suppressed'>,
    lineage: LineageRecord[],
    shared = false,
  ): Emitted {
    const version = this.policy.version;
    const records: GovernedRecord[] = [];
    const rule = cited.objection ? 'R19' : 'R18';
    for (const { destination, purposes } of decided.suppressions) {
      // One event can stop several customers who claimed one address (R25): each gets its own id,
      // so no sink drops one as a replay of another.
      const id = this.suppressionId(event, destination.name, ids, shared);
      const key = this.keyFor(destination, ids);
      records.push({
        destination: destination.name,
        topic: destination.topic,
        key,
        value: {
          kind: 'suppression',
          eventId: event.id,
          subject: key,
          time: cited.time,
          purposes,
          reason: cited.objection ? 'objection' : 'consent-withdrawn',
          rule,
          evidenceId: cited.evidenceId,
        },
        headers: {
          'policy-version': version,
          'decision-id': id,
          'record-kind': 'suppression',
          'event-id': event.id,
        },
      });
      lineage.push({
        lineageVersion: LINEAGE_VERSION,
        kind: 'suppression',
        policyVersion: version,
        eventId: event.id,
        subject: ids.pseudonym,
        time: cited.time,
        destination: destination.name,
        purposes,
        rule,
        evidenceId: cited.evidenceId,
      });
    }
    if (decided.suppressed.length === 0) return { records, lineage };
    return {
      records,
      lineage,
      suppressionStates: this.suppressionStates(event, cited, ids, decided, shared),
    };
  }

  /** A suppression's decision id: a refused claimant's has its own kind (R25, see decision-id.ts). */
  private suppressionId(event: CloudEvent, destination: string, ids: SubjectIds, shared: boolean): string {
    const hash = this.policy.contentHash;
    return shared
      ? claimantSuppressionId(hash, event.id, destination, ids.pseudonym)
      : decisionId(hash, event.id, destination, 'suppression');
  }

  /**
   * Per destination whose suppression ledger changed, the record of its compacted suppression
   * topic: the whole current set, or a tombstone once empty. Same key as the destination's records.
   */
  private suppressionStates(
    event: CloudEvent,
    cited: { readonly evidenceId: string; readonly time: string },
    ids: SubjectIds,
    decided: Pick<EvidenceDecision, 'suppressed'>,
    shared: boolean,
  ): SuppressionStateRecord[] {
    return decided.suppressed.map(({ destination, purposes }) => {
      const key = this.keyFor(destination, ids);
      return {
        destination: destination.name,
        key,
        value:
          purposes.length === 0
            ? null
            : {
                kind: 'suppression-state',
                subject: key,
                purposes,
                eventId: event.id,
                evidenceId: cited.evidenceId,
                time: cited.time,
              },
        headers: {
          'policy-version': this.policy.version,
          'decision-id': this.suppressionId(event, destination.name, ids, shared),
          'record-kind': 'suppression-state',
          'event-id': event.id,
        },
      };
    });
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
      lineageVersion: LINEAGE_VERSION,
      kind: 'dead-letter',
      policyVersion: this.policy.version,
      eventId,
      // Canonical, as every other lineage subject, so an auditor finds it from the person's key.
      subject:
        typeof event?.subject === 'string'
          ? this.lineagePseudonyms.of(canonicalSubjectKey(event.subject))
          : null,
      time: event?.time ?? null,
      code,
      reason: line === undefined ? reason : `${reason} (line ${line})`,
    };
  }
}
