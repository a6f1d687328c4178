import { CONSENT_EVIDENCE_EVENT_TYPE, type CloudEvent } from '@app/contracts/cloud-event.types';
import {
  type HeaderValue,
  decodeBinaryCloudEvent,
  decodeStructuredCloudEvent,
  validateCloudEvent,
} from '@app/contracts/cloud-event.decoder';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { DeadLetterCode } from '@app/contracts/dead-letter.types';
import type { GovernedRecord } from '@app/contracts/governed-record.types';
import type { LineageRecord } from '@app/contracts/lineage-record.types';
import type { CompiledPolicy, Destination, EventTypeSpec } from '../policy-file/compiled-policy.types';
import {
  assessEvidence,
  checkEvidenceShape,
  type EvidenceAssessment,
} from '../consent/consent-evidence.assessor';
import { foldEvidence, type FoldOutcome } from '../consent/consent-state.fold';
import {
  isSubjectState,
  restoredState,
  sharedEmptySubjectState,
  type SubjectState,
  type SubjectStateV1,
  writableRecord,
} from '../consent/consent-state.types';
import { decisionId, Pseudonymiser } from '../decision/decision-id';
import { type DecisionTables, type TypeTable, decisionTables } from '../decision/decision-tables';
import { type DestinationDecision, decideWithTables, StatusMemo } from '../decision/destination-decision';
import type { ContactIndex } from '../consent/contact-permission';
import { addToWindow, eventIdHash, evidenceIdHash, inWindow } from '../consent/duplicate-window';
import { parseEventTime } from '../consent/event-time';
import type { AttributeNode, DeclaredAttribute } from '../policy-file/compiled-policy.types';

/** Options of {@link GovernanceProcessor}. */
export interface ProcessorOptions {
  /** Key for keyed pseudonyms (HMAC). Comes from the service's secret store, never from the policy. */
  readonly pseudonymKey: string | Uint8Array;
}

/** Where the input came from; copied into dead letters. */
export interface InputContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly line?: number;
}

/** A changed per-subject state for the compacted changelog (key = subjectKey). */
export interface StateChange {
  readonly subjectKey: string;
  /** The live state object: serialise it before the next call, do not mutate it. */
  readonly state: SubjectState;
}

/**
 * Everything the engine must produce for one input event. No side effects happened: the caller
 * writes records, lineage and state changes (in one transaction, for the engine).
 */
export interface ProcessResult {
  readonly eventId: string | null;
  readonly outcome: 'consent' | 'source' | 'dead-letter';
  /** Resolved subject key (after identity links), or null for dead letters without one. */
  readonly subjectKey: string | null;
  readonly records: GovernedRecord[];
  readonly lineage: LineageRecord[];
  readonly deadLetter?: { readonly code: DeadLetterCode; readonly reason: string };
  readonly stateChanges: StateChange[];
  /**
   * For consent evidence: the assessment. Its effect (and arrays in it) may be shared between
   * events and frozen (e.g. a banner's accept-all effect): read it, do not mutate it.
   */
  readonly assessment?: EvidenceAssessment;
  /** For source events: the per-destination decisions (used by `govern explain`). */
  readonly decisions?: readonly DestinationDecision[];
}

function setPath(target: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  if (segments.length === 1) {
    target[segments[0] as string] = value;
    return;
  }
  let node = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i] as string;
    let next = node[s] as Record<string, unknown> | undefined;
    if (next === undefined) {
      next = {};
      node[s] = next;
    }
    node = next;
  }
  node[segments[segments.length - 1] as string] = value;
}

/** A subject's state plus what the processor derives from it (never serialised). */
class SubjectEntry {
  /** Keyed pseudonym of the subject key, computed once (an HMAC per event was in the profile). */
  pseudonym: string | null = null;
  /** Derived view of the marketing grants for the contact gate (see ContactIndex), on first use. */
  contactIndex: ContactIndex | null = null;

  constructor(readonly state: SubjectState) {}
}

/** A source event's payload walked once for all destinations (see walkInto). */
interface Walked {
  readonly attributes: DeclaredAttribute[];
  readonly indexes: number[];
  readonly values: unknown[];
  readonly undeclared: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Same traversal and order as walkPayload, into parallel arrays instead of wrapper objects. */
function walkInto(
  node: Map<string, AttributeNode>,
  data: Record<string, unknown>,
  prefix: string,
  out: Walked,
): void {
  for (const key in data) {
    const value = data[key];
    if (value === undefined) continue;
    const child = node.get(key);
    if (child === undefined) out.undeclared.push(prefix === '' ? key : `${prefix}.${key}`);
    else if (child.attribute !== undefined) {
      out.attributes.push(child.attribute);
      out.indexes.push(child.index ?? -1);
      out.values.push(value);
    } else if (child.children !== undefined && isPlainObject(value))
      walkInto(child.children, value, prefix === '' ? key : `${prefix}.${key}`, out);
    else out.undeclared.push(prefix === '' ? key : `${prefix}.${key}`);
  }
}

/**
 * The decision core as one stateful but pure processor: feed it CloudEvents (consent evidence and
 * source events) in order, one call per event; it returns records, lineage, dead letters and state
 * changes. The Kafka engine and `govern dry-run` both use it, so their outputs are equal.
 * It never throws on input: anything invalid becomes a dead-letter outcome.
 */
export class GovernanceProcessor {
  private readonly subjects = new Map<string, SubjectEntry>();
  private readonly pseudonyms: Pseudonymiser;
  private readonly tables: DecisionTables;
  private readonly memo: StatusMemo;

  constructor(
    readonly policy: CompiledPolicy,
    options: ProcessorOptions,
  ) {
    this.pseudonyms = new Pseudonymiser(options.pseudonymKey);
    this.tables = decisionTables(policy);
    this.memo = new StatusMemo(policy, this.tables);
  }

  /**
   * Processes one structured-mode CloudEvent: raw JSON text/bytes (as read from Kafka or a file)
   * or an already parsed object.
   */
  process(input: string | Uint8Array | object, context: InputContext = {}): ProcessResult {
    const decoded =
      typeof input === 'string' || input instanceof Uint8Array
        ? decodeStructuredCloudEvent(input, this.policy.options.maxEventBytes)
        : validateCloudEvent(input);
    if (!decoded.ok) return this.deadLetter(idOf(input), decoded.code, decoded.reason, null, context);
    return this.processEvent(decoded.event, context);
  }

  /** Processes one binary-mode CloudEvent (`ce_*` headers, data in the value). */
  processBinary(
    headers: Readonly<Record<string, HeaderValue>>,
    value: string | Uint8Array | null,
    context: InputContext = {},
  ): ProcessResult {
    const decoded = decodeBinaryCloudEvent(headers, value, this.policy.options.maxEventBytes);
    if (!decoded.ok) {
      const id = headers['ce_id'];
      return this.deadLetter(typeof id === 'string' ? id : null, decoded.code, decoded.reason, null, context);
    }
    return this.processEvent(decoded.event, context);
  }

  /** The JSON-serialisable state of one subject key (for the changelog), or null if unknown. */
  exportState(subjectKey: string): SubjectState | null {
    const s = this.subjects.get(subjectKey);
    return s === undefined ? null : (JSON.parse(JSON.stringify(s.state)) as SubjectState);
  }

  /** Restores one subject's state from the changelog; a null state (tombstone) forgets the subject. */
  importState(subjectKey: string, state: unknown): void {
    if (state === null) {
      this.subjects.delete(subjectKey);
      return;
    }
    if (!isSubjectState(state)) throw new TypeError(`importState: not a consent state for one subject`);
    this.subjects.set(
      subjectKey,
      newEntry(restoredState(JSON.parse(JSON.stringify(state)) as SubjectState | SubjectStateV1)),
    );
  }

  /** Subject keys with state, for snapshots and tests. */
  subjectKeys(): IterableIterator<string> {
    return this.subjects.keys();
  }

  private processEvent(event: CloudEvent, context: InputContext): ProcessResult {
    const t = parseEventTime(event.time);
    if (event.type === CONSENT_EVIDENCE_EVENT_TYPE) return this.processEvidence(event, t, context);
    if (!this.policy.sources.has(event.source)) {
      return this.deadLetter(
        event.id,
        'unknown-source',
        'source: not declared in the policy',
        event,
        context,
      );
    }
    const table = this.tables.types.get(event.source)?.get(event.type);
    if (table === undefined) {
      return this.deadLetter(
        event.id,
        'unknown-type',
        'type: not declared for this source in the policy',
        event,
        context,
      );
    }
    const spec = table.spec;
    if (event.subject === undefined || event.subject === '') {
      return this.deadLetter(
        event.id,
        'missing-subject',
        'subject: required for source events',
        event,
        context,
      );
    }
    if (!spec.validate(event.data)) {
      const e = spec.validate.errors?.[0];
      const where = e === undefined ? 'data' : `data${e.instancePath.replace(/\//g, '.')}`;
      return this.deadLetter(
        event.id,
        'schema-violation',
        `${where}: ${e?.message ?? 'invalid'}`,
        event,
        context,
      );
    }
    const subjectKey = this.resolve(event.subject);
    const found = this.resolved;
    const idHash = eventIdHash(event.id);
    if (found !== undefined && this.isDuplicate(found, idHash)) {
      return this.deadLetter(
        event.id,
        'duplicate-event',
        'id: already processed for this subject',
        event,
        context,
      );
    }
    const entry = found ?? this.newSubject(subjectKey);
    const own = entry.state;
    this.remember(entry, idHash);
    const stateChanges: StateChange[] = [{ subjectKey, state: own }];
    const lineage: LineageRecord[] = [];
    if (spec.identityLink !== undefined) this.link(event, spec, subjectKey, entry, t, lineage, stateChanges);
    return this.decide(event, table, subjectKey, entry, t, lineage, stateChanges);
  }

  private decide(
    event: CloudEvent,
    table: TypeTable,
    subjectKey: string,
    entry: SubjectEntry,
    t: number,
    lineage: LineageRecord[],
    stateChanges: StateChange[],
  ): ProcessResult {
    const spec = table.spec;
    const walked: Walked = { attributes: [], indexes: [], values: [], undeclared: [] };
    if (isPlainObject(event.data)) walkInto(spec.tree, event.data, '', walked);
    const version = this.policy.version;
    const subjectPseudonym = this.pseudonymOf(subjectKey, entry);
    const records: GovernedRecord[] = [];
    const decisions: DestinationDecision[] = [];
    const memo = this.memo;
    memo.reset(entry.state, t, entry);
    const destinations = table.destinations;
    for (let i = 0; i < destinations.length; i++) {
      const destTable = destinations[i] as (typeof destinations)[number];
      const destination = destTable.destination;
      const d = decideWithTables(memo, destTable, walked);
      const attributes = d.attributes;
      decisions.push(d);
      const id = decisionId(this.policy.contentHash, event.id, destination.name);
      const c = d.contact;
      // Two literal shapes (with and without contact) instead of a conditional spread: same keys
      // in the same order as before, without the temporary objects.
      lineage.push(
        c === null
          ? {
              kind: 'decision',
              policyVersion: version,
              decisionId: id,
              eventId: event.id,
              subject: subjectPseudonym,
              time: event.time,
              destination: destination.name,
              source: spec.source,
              type: spec.type,
              outcome: d.outcome,
              attributes,
            }
          : {
              kind: 'decision',
              policyVersion: version,
              decisionId: id,
              eventId: event.id,
              subject: subjectPseudonym,
              time: event.time,
              destination: destination.name,
              source: spec.source,
              type: spec.type,
              outcome: d.outcome,
              attributes,
              contact: {
                mayContact: c.mayContact,
                trackOpens: c.trackOpens,
                rule: c.rule,
                evidenceId: c.evidenceId,
              },
            },
      );
      if (d.outcome === 'withheld') continue;
      // attributes[j] decides walked.attributes[j] (undeclared paths come after and are withheld).
      const data: Record<string, unknown> = {};
      const present = walked.attributes;
      for (let j = 0; j < present.length; j++) {
        const outcome = (attributes[j] as (typeof attributes)[number]).outcome;
        if (outcome === 'withhold') continue;
        const value = walked.values[j];
        setPath(
          data,
          (present[j] as DeclaredAttribute).segments,
          outcome === 'pseudonymise' ? this.pseudonyms.ofValue(value) : value,
        );
      }
      const recordKey = destination.identifiers === 'pseudonym' ? subjectPseudonym : subjectKey;
      records.push({
        destination: destination.name,
        topic: destination.topic,
        key: recordKey,
        value:
          c === null
            ? {
                kind: 'data',
                eventId: event.id,
                subject: recordKey,
                source: spec.source,
                type: spec.type,
                time: event.time,
                data,
              }
            : {
                kind: 'data',
                eventId: event.id,
                subject: recordKey,
                source: spec.source,
                type: spec.type,
                time: event.time,
                data,
                contact: c,
              },
        headers: {
          'policy-version': version,
          'decision-id': id,
          'record-kind': 'data',
          'event-id': event.id,
        },
      });
    }
    return { eventId: event.id, outcome: 'source', subjectKey, records, lineage, stateChanges, decisions };
  }

  private link(
    event: CloudEvent,
    spec: EventTypeSpec,
    subjectKey: string,
    entry: SubjectEntry,
    t: number,
    lineage: LineageRecord[],
    stateChanges: StateChange[],
  ): void {
    const state = entry.state;
    const link = spec.identityLink as NonNullable<EventTypeSpec['identityLink']>;
    const alias = (event.data as Record<string, unknown>)[link.aliasPath];
    if (typeof alias !== 'string' || alias === subjectKey) return;
    const aliasEntry = this.subjects.get(alias);
    const aliasState = aliasEntry?.state;
    const grant = aliasState?.purposes[link.requiresPurpose.key];
    const max = this.policy.options.cookieConsentMaxAgeMs;
    const ok = grant !== undefined && grant.since <= t && (max === null || t - grant.renewedAt <= max);
    const base = {
      policyVersion: this.policy.version,
      eventId: event.id,
      subject: this.pseudonymOf(subjectKey, entry),
      time: event.time,
      // Which identifier was joined (or refused), so a grant that came with it can be traced (R27).
      alias: aliasEntry === undefined ? this.pseudonyms.of(alias) : this.pseudonymOf(alias, aliasEntry),
    };
    if (!ok || aliasState === undefined) {
      lineage.push({
        kind: 'identity-link',
        ...base,
        linked: false,
        rule: 'R25',
        reason: `no valid consent for ${link.requiresPurpose.key} on the identifier; the identities stay separate`,
      });
      return;
    }
    // Cookie-side grants follow the person; the alias now resolves to the subject.
    for (const [p, g] of Object.entries(aliasState.purposes))
      if (state.purposes[p] === undefined) writableRecord(state, 'purposes')[p] = g;
    for (const [p, w] of Object.entries(aliasState.withdrawn))
      if (state.withdrawn[p] === undefined) writableRecord(state, 'withdrawn')[p] = w;
    aliasState.linkedTo = subjectKey;
    stateChanges.push({ subjectKey: alias, state: aliasState });
    lineage.push({
      kind: 'identity-link',
      ...base,
      linked: true,
      rule: 'R25',
      reason: `linked under ${link.requiresPurpose.key} consent`,
    });
  }

  private processEvidence(event: CloudEvent, t: number, context: InputContext): ProcessResult {
    const shape = checkEvidenceShape(event.data);
    if (shape !== null) return this.deadLetter(event.id, 'invalid-evidence', shape, event, context);
    const evidence = event.data as ConsentEvidence;
    const subjectKey = this.resolve(event.subject ?? evidence.subject.key);
    const entry = this.resolved ?? this.newSubject(subjectKey);
    const state = entry.state;
    const idHash = eventIdHash(event.id);
    const evidenceHash = evidenceIdHash(evidence.evidenceId);
    if (this.isDuplicate(entry, idHash) || this.isDuplicate(entry, evidenceHash)) {
      return this.deadLetter(
        event.id,
        'duplicate-event',
        'id: already processed for this subject',
        event,
        context,
      );
    }
    this.remember(entry, idHash);
    this.remember(entry, evidenceHash);
    const at = parseEventTime(evidence.timestamp) || t;
    const assessment = assessEvidence(this.policy, evidence);
    const fold = foldEvidence(this.policy, state, assessment, at);
    const version = this.policy.version;
    const subject = this.pseudonymOf(subjectKey, entry);
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
    const records = this.suppressions(event, evidence, subjectKey, subject, fold, lineage);
    return {
      eventId: event.id,
      outcome: 'consent',
      subjectKey,
      records,
      lineage,
      stateChanges: [{ subjectKey, state }],
      assessment,
    };
  }

  /** R18/R19: one suppression record per destination whose purposes relied on what was taken away. */
  private suppressions(
    event: CloudEvent,
    evidence: ConsentEvidence,
    subjectKey: string,
    subjectPseudonym: string,
    fold: FoldOutcome,
    lineage: LineageRecord[],
  ): GovernedRecord[] {
    if (fold.removedPurposes.length === 0 && fold.removedMarketing.length === 0 && !fold.objection) return [];
    const records: GovernedRecord[] = [];
    const version = this.policy.version;
    const rule = fold.objection ? 'R19' : 'R18';
    for (const d of this.policy.destinations) {
      const purposes = affectedPurposes(d, fold, this.policy);
      if (purposes.length === 0) continue;
      const id = decisionId(this.policy.contentHash, event.id, d.name, 'suppression');
      const key = d.identifiers === 'pseudonym' ? subjectPseudonym : subjectKey;
      records.push({
        destination: d.name,
        topic: d.topic,
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
        subject: subjectPseudonym,
        time: evidence.timestamp,
        destination: d.name,
        purposes,
        rule,
        evidenceId: evidence.evidenceId,
      });
    }
    return records;
  }

  private deadLetter(
    eventId: string | null,
    code: DeadLetterCode,
    reason: string,
    event: CloudEvent | null,
    context: InputContext,
  ): ProcessResult {
    const where = context.line !== undefined ? ` (line ${context.line})` : '';
    return {
      eventId,
      outcome: 'dead-letter',
      subjectKey: null,
      records: [],
      lineage: [
        {
          kind: 'dead-letter',
          policyVersion: this.policy.version,
          eventId,
          subject: typeof event?.subject === 'string' ? this.pseudonyms.of(event.subject) : null,
          time: event?.time ?? null,
          code,
          reason: `${reason}${where}`,
        },
      ],
      deadLetter: { code, reason },
      stateChanges: [],
    };
  }

  /** Entry of the key last returned by {@link resolve} (saves a second Map lookup per event). */
  private resolved: SubjectEntry | undefined = undefined;

  /** The key after identity links (one level), leaving its entry in {@link resolved}. */
  private resolve(key: string): string {
    const entry = this.subjects.get(key);
    const linked = entry?.state.linkedTo ?? null;
    if (linked === null) {
      this.resolved = entry;
      return key;
    }
    this.resolved = this.subjects.get(linked);
    return linked;
  }

  /**
   * A fresh entry for a key that {@link resolve} just found absent (its `resolved` was undefined):
   * no second lookup. One new subject in ten events, and a miss in a Map of every subject is
   * among the costlier probes (it compares against stored keys that are rarely in cache).
   */
  private newSubject(key: string): SubjectEntry {
    const e = newEntry(sharedEmptySubjectState());
    this.subjects.set(key, e);
    return e;
  }

  private pseudonymOf(subjectKey: string, entry: SubjectEntry): string {
    return (entry.pseudonym ??= this.pseudonyms.compute(subjectKey));
  }

  private isDuplicate(entry: SubjectEntry, idHash: number): boolean {
    return this.policy.options.duplicateWindow > 0 && inWindow(entry.state.seen, idHash);
  }

  private remember(entry: SubjectEntry, idHash: number): void {
    const window = this.policy.options.duplicateWindow;
    if (window === 0) return;
    addToWindow(entry.state.seen, idHash, window);
  }
}

function newEntry(state: SubjectState): SubjectEntry {
  return new SubjectEntry(state);
}

function affectedPurposes(d: Destination, fold: FoldOutcome, policy: CompiledPolicy): string[] {
  const out = new Set<string>();
  for (const p of fold.removedPurposes) if (d.purposeKeys.has(p)) out.add(p);
  if (fold.objection) for (const p of d.purposes) if (p.directMarketing) out.add(p.key);
  const m = d.marketing;
  if (
    m !== null &&
    fold.removedMarketing.some((g) => g.brands.includes(m.brand) && g.channels.includes(m.channel))
  ) {
    for (const p of d.purposes)
      if (p.directMarketing || policy.purposes.get(p.key)?.legalBasis === 'consent') out.add(p.key);
  }
  return [...out].sort();
}

function idOf(input: unknown): string | null {
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    const id = (input as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}
