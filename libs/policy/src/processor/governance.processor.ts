import { contributionsOf } from '../aggregate/contribution';
import type { HeaderValue } from '@app/contracts/cloud-event.decoder';
import { eventIdHash, evidenceIdHash } from '../consent/duplicate-window';
import { SWEEP_PER_EVENT, SweepClock } from '../consent/state-expiry';
import { type ExportedState, type ImportOutcome, QUARANTINE_REASON } from '../consent/state-quarantine';
import type { CloudEvent } from '@app/contracts/cloud-event.types';
import type { EvidenceAssessment } from '../consent/consent-evidence.assessor';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { ConsentHolders } from '../consent/use-status';
import { decideEvidence, decideSource, decideStops, foldIntoDevice } from './decide.stage';
import {
  type Decoded,
  type DecodedEvidence,
  type DecodedSource,
  type Rejected,
  decodeBinary,
  decodeStructured,
} from './decode.stage';
import { type Emitted, RecordEmitter } from './emit.stage';
import { carrySharedStop, isStop } from './identifier-merge';
import type { InputContext, ProcessorOptions, ProcessResult, StateChange } from './processor.types';
import { type Subject, SubjectStore } from './subject.stage';

/**
 * The decision core as one stateful but pure processor: feed it CloudEvents (consent evidence and
 * source events) in order, one call per event; it returns records, lineage, dead letters and state
 * changes. The Kafka engine and `govern dry-run` both use it, so their outputs are equal.
 * It never throws on input: anything invalid becomes a dead-letter outcome.
 *
 * Each event goes through four stages: decode (decode.stage.ts), subject (subject.stage.ts:
 * identity, duplicates, links), decide (decide.stage.ts) and emit (emit.stage.ts).
 */
export class GovernanceProcessor {
  private readonly subjects: SubjectStore;
  private readonly emit: RecordEmitter;
  private readonly sweepClock = new SweepClock();
  /** The time of the event being processed, once decoded (drives the expiry sweep). */
  private eventTime: number | null = null;

  constructor(
    readonly policy: CompiledPolicy,
    options: ProcessorOptions,
  ) {
    this.subjects = new SubjectStore(policy);
    this.emit = new RecordEmitter(policy, options.pseudonymKeys);
  }

  /**
   * Processes one structured-mode CloudEvent: raw JSON text/bytes (as read from Kafka or a file)
   * or an already parsed object.
   */
  process(input: string | Uint8Array | object, context: InputContext = {}): ProcessResult {
    return this.guarded(input, context, () =>
      this.processDecoded(decodeStructured(this.policy, input, context.topic), context),
    );
  }

  /** Processes one binary-mode CloudEvent (`ce_*` headers, data in the value). */
  processBinary(
    headers: Readonly<Record<string, HeaderValue>>,
    value: string | Uint8Array | null,
    context: InputContext = {},
  ): ProcessResult {
    return this.guarded(null, context, () =>
      this.processDecoded(decodeBinary(this.policy, headers, value, context.topic), context),
    );
  }

  /**
   * The last line of defence of "never throws on input": a defect that throws anyway dead-letters
   * the input as an internal error (the engine keeps its bytes) instead of stalling the stream on
   * a retried step. The error itself is not reported: its message could quote the input. Every
   * change the event made before the defect is rolled back, so it changes nothing (as its empty
   * `stateChanges` say): the engine restored from its changelog and a replay decide alike after it.
   */
  private guarded(input: unknown, context: InputContext, run: () => ProcessResult): ProcessResult {
    this.eventTime = null;
    try {
      const result = run();
      this.subjects.commit();
      return this.swept(result);
    } catch {
      this.subjects.rollback();
      const eventId = idOfInput(input);
      return this.deadLetter(
        {
          kind: 'rejected',
          eventId,
          event: null,
          code: 'internal-error',
          reason: 'the decision core failed on this input',
        },
        context,
      );
    }
  }

  /**
   * After an event with a time: looks at a few more subjects, forgets those whose state has expired
   * by the sweep clock and names them in the result (the engine writes their changelog tombstones).
   * Without a horizon in the policy nothing expires and nothing is swept.
   */
  private swept(result: ProcessResult): ProcessResult {
    const t = this.eventTime;
    if (t === null || this.policy.options.stateHorizonMs === null) return result;
    const now = this.sweepClock.advance(t);
    if (now === -Infinity) return result;
    const expired = this.subjects.sweep(now, SWEEP_PER_EVENT);
    return expired.length === 0 ? result : { ...result, expiredSubjects: expired };
  }

  /**
   * The JSON-serialisable state of one subject key (for the changelog), or null if unknown. For a
   * quarantined subject, a marker that keeps it quarantined wherever it is imported.
   */
  exportState(subjectKey: string): ExportedState | null {
    return this.subjects.exportState(subjectKey);
  }

  /**
   * Restores one subject's state from the changelog or a handover; a null state (tombstone) forgets
   * the subject. Never throws: a value that is not a valid state (any version) quarantines the
   * subject, and every event resolving to it is dead-lettered as `corrupt-state` until a valid
   * state or a tombstone is imported for it.
   */
  importState(subjectKey: string, state: unknown): ImportOutcome {
    return this.subjects.importState(subjectKey, state);
  }

  /** Subject keys with state or quarantined, for snapshots and tests. */
  subjectKeys(): IterableIterator<string> {
    return this.subjects.keys();
  }

  private processDecoded(decoded: Decoded, context: InputContext): ProcessResult {
    switch (decoded.kind) {
      case 'rejected':
        return this.deadLetter(decoded, context);
      case 'evidence':
        return this.processEvidence(decoded, context);
      case 'source':
        return this.processSource(decoded, context);
    }
  }

  private processSource(decoded: DecodedSource, context: InputContext): ProcessResult {
    const { event, spec, t } = decoded;
    this.eventTime = t;
    const alias = this.subjects.aliasOf(event, spec) ?? this.subjects.identifierOf(event, spec);
    if (
      this.subjects.isQuarantined(decoded.subject) ||
      (alias !== null && this.subjects.isQuarantined(alias))
    )
      return this.corruptState(decoded, context);
    const subject = this.subjects.subjectOf(decoded.subject, t);
    const { key: subjectKey, state } = subject;
    const idHash = eventIdHash(event.id);
    if (this.subjects.isDuplicate(subject, idHash)) return this.duplicate(decoded, context);
    this.subjects.remember(subject, idHash);
    this.subjects.clock(subject, t);
    const stateChanges: StateChange[] = [{ subjectKey, state }];
    const link =
      this.subjects.link(event, spec, subject, t) ?? this.subjects.linkIdentifier(event, spec, subject, t);
    if ((link?.linked === true || link?.shared === true) && link.aliasSubject !== undefined)
      stateChanges.push({ subjectKey: link.alias, state: link.aliasSubject.state });
    // G1: the device's own consent (its banner choices), whoever it is linked to (§1, R8, R18).
    // The device is the cookie link's alias, never a declared identifier (an e-mail address is no device).
    const deviceKey =
      spec.device === undefined
        ? null
        : spec.device === 'subject'
          ? decoded.subject
          : this.subjects.aliasOf(event, spec);
    const holders: ConsentHolders = {
      person: state,
      device: deviceKey === null ? null : this.subjects.ownState(deviceKey, t),
    };
    // R18/R19: what stops under a declared identifier took from the person is suppressed where it went.
    const stopped = decideStops(this.policy, state, link?.stops);
    const suppressed = stopped === null ? null : this.emit.linkStops(event, subject, stopped);
    const decided = decideSource(this.policy, spec, event.data, holders, t);
    const emitted = this.emit.source(event, spec, subject, decided);
    const contributions = contributionsOf(this.policy, spec, event.data, t);
    const linkLineage = link === null ? [] : [this.emit.identityLink(event, subject, link)];
    return {
      eventId: event.id,
      outcome: 'source',
      subjectKey,
      records: suppressed === null ? emitted.records : [...suppressed.records, ...emitted.records],
      ...(suppressed?.suppressionStates === undefined
        ? {}
        : { suppressionStates: suppressed.suppressionStates }),
      lineage: [...linkLineage, ...(suppressed?.lineage ?? []), ...emitted.lineage],
      stateChanges,
      decisions: decided.decisions,
      ...(contributions.length === 0 ? {} : { contributions }),
    };
  }

  private processEvidence(decoded: DecodedEvidence, context: InputContext): ProcessResult {
    const { event, evidence, at } = decoded;
    this.eventTime = at;
    if (this.subjects.isQuarantined(decoded.subject) || this.subjects.isSharedQuarantined(decoded.subject))
      return this.corruptState(decoded, context);
    const subject = this.subjects.subjectOf(decoded.subject, at);
    const { key: subjectKey, state } = subject;
    // A resent piece of evidence under a new event id is a duplicate too.
    const hashes = [eventIdHash(event.id), evidenceIdHash(evidence.evidenceId)];
    if (this.subjects.isDuplicate(subject, ...hashes)) return this.duplicate(decoded, context);
    this.subjects.remember(subject, ...hashes);
    this.subjects.clock(subject, at);
    this.subjects.willChange(subject); // the fold below writes the state
    const decided = decideEvidence(this.policy, evidence, state, at, decoded.unreadable !== null);
    this.subjects.keepStop(subject, decided.assessment, at);
    const stateChanges: StateChange[] = [{ subjectKey, state }];
    // A banner choice or withdrawal made on a device linked to a person also stays the device's
    // own (G1): the device's later events are checked against it (§1).
    const device = subjectKey === decoded.subject ? undefined : this.subjects.linkedEntry(decoded.subject);
    if (device !== undefined && foldIntoDevice(this.policy, device.state, decided.assessment, at)) {
      // The device's own state changed: its own clock moves too (state-expiry.ts).
      this.subjects.clock(device, at);
      stateChanges.push({ subjectKey: device.key, state: device.state });
    }
    const own = this.emit.evidence(event, evidence, subject, decided);
    const emitted = [
      own,
      ...this.sharedStops(event, decoded.subject, subject, decided.assessment, at, stateChanges),
    ];
    const suppressionStates = emitted.flatMap((e) => e.suppressionStates ?? []);
    const result: ProcessResult = {
      eventId: event.id,
      outcome: 'consent',
      subjectKey,
      records: emitted.flatMap((e) => e.records),
      ...(own.suppressionStates === undefined && suppressionStates.length === 0 ? {} : { suppressionStates }),
      lineage: emitted.flatMap((e) => e.lineage),
      stateChanges,
      assessment: decided.assessment,
    };
    if (decoded.unreadable === null) return result;
    // Honoured as a stop (above) and dead-lettered, so the data engineer sees the malformed input.
    const code = 'invalid-evidence';
    const reason = decoded.unreadable;
    return {
      ...result,
      lineage: [...result.lineage, this.emit.deadLetter(event.id, event, code, reason, context.line)],
      deadLetter: { code, reason },
    };
  }

  /**
   * R25, fail closed: a withdrawal or objection received under an identifier also stops every
   * customer whose claim on it was refused, with the suppressions it implies at their destinations
   * (R18, R19). Nothing else reaches them: a grant under the identifier stays the linked person's.
   */
  private sharedStops(
    event: CloudEvent,
    key: string,
    resolved: Subject,
    assessment: EvidenceAssessment,
    at: number,
    stateChanges: StateChange[],
  ): Emitted[] {
    if (key === resolved.key || !isStop(assessment)) return [];
    const out: Emitted[] = [];
    for (const customer of this.subjects.sharedWith(key, resolved, at)) {
      this.subjects.willChange(customer);
      this.subjects.clock(customer, at);
      const stops = carrySharedStop(this.policy, customer.state, assessment, at) ?? undefined;
      stateChanges.push({ subjectKey: customer.key, state: customer.state });
      const stopped = decideStops(this.policy, customer.state, stops);
      if (stopped !== null) out.push(this.emit.linkStops(event, customer, stopped, true));
    }
    return out;
  }

  private duplicate(decoded: DecodedSource | DecodedEvidence, context: InputContext): ProcessResult {
    const { event } = decoded;
    return this.deadLetter(
      {
        kind: 'rejected',
        eventId: event.id,
        event,
        code: 'duplicate-event',
        reason: 'id: already processed for this subject',
      },
      context,
    );
  }

  /**
   * An event about a quarantined subject (directly, through an identity link, or naming one to
   * link): dead-lettered before anything changes, not even the duplicate window.
   */
  private corruptState(decoded: DecodedSource | DecodedEvidence, context: InputContext): ProcessResult {
    const { event } = decoded;
    return this.deadLetter(
      { kind: 'rejected', eventId: event.id, event, code: 'corrupt-state', reason: QUARANTINE_REASON },
      context,
    );
  }

  private deadLetter(rejected: Rejected, context: InputContext): ProcessResult {
    const { eventId, event, code, reason } = rejected;
    return {
      eventId,
      outcome: 'dead-letter',
      subjectKey: null,
      records: [],
      lineage: [this.emit.deadLetter(eventId, event, code, reason, context.line)],
      deadLetter: { code, reason },
      stateChanges: [],
    };
  }
}

/** The id of a parsed input object, for an internal-error dead letter; null otherwise. */
function idOfInput(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || input instanceof Uint8Array) return null;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 256 ? id : null;
}
