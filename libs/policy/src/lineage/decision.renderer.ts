import type { ContactPermission } from '@app/contracts/governed-record.types';
import type {
  DecisionLineageRecord,
  DestinationDigest,
  LineageRecord,
  RenderedDecision,
} from '@app/contracts/lineage-record.types';
import type { UseStatus } from '../consent/use-status';
import { decisionId } from '../decision/decision-id';
import {
  decideDestinationFrom,
  type DestinationDecision,
  type PresentPath,
} from '../decision/destination-decision';
import type {
  CompiledPolicy,
  Destination,
  EventTypeSpec,
  Purpose,
} from '../policy-file/compiled-policy.types';
import { destinationDigest, EvidenceList } from './decision-digest';
import { noStateContact, noStateStatus } from './no-state';
import { impliedRule, knownReason, PERMITTING_REASONS } from './purpose-basis';

/** A decision record that cannot be rendered against the policy given: never a guess. */
export class LineageRenderError extends Error {
  constructor(eventId: string, problem: string) {
    super(`decision record of event ${eventId}: ${problem}`);
    this.name = 'LineageRenderError';
  }
}

/** The record's evidence id at `index`, or null for none. */
function evidenceAt(record: DecisionLineageRecord, index: number | null | undefined): string | null {
  if (index === null || index === undefined) return null;
  const id = record.evidence?.[index];
  if (id === undefined) throw new LineageRenderError(record.eventId, `evidence index ${index} out of range`);
  return id;
}

/** A purpose of the policy named by a record, or a refusal to guess. */
function purposeNamed(policy: CompiledPolicy, record: DecisionLineageRecord, key: string): Purpose {
  const purpose = policy.purposes.get(key);
  if (purpose === undefined)
    throw new LineageRenderError(record.eventId, `purpose "${key}" is not in the policy`);
  return purpose;
}

/**
 * Replays the stored facts per purpose; purposes not stored answer as for a person (and device)
 * with no consent state, for this event type's requirements.
 */
function storedStatuses(
  policy: CompiledPolicy,
  spec: EventTypeSpec,
  record: DecisionLineageRecord,
): (p: Purpose) => UseStatus {
  return (purpose) => {
    // Own properties only: a record read from the log is data, not an object with a prototype chain.
    const bases = record.bases;
    const stored = bases !== undefined && Object.hasOwn(bases, purpose.key) ? bases[purpose.key] : undefined;
    if (stored === undefined) return noStateStatus(policy, spec, purpose);
    const [code, evidence, named, by] = stored;
    const decidedBy = by === undefined ? purpose : purposeNamed(policy, record, by);
    const reason = knownReason(code);
    const rule = named ?? impliedRule(policy, code, decidedBy);
    if (reason === undefined || rule === undefined)
      throw new LineageRenderError(record.eventId, `reason "${code}" is not known to this core`);
    const ok = PERMITTING_REASONS.has(reason);
    return { ok, reason, rule, evidenceId: evidenceAt(record, evidence), since: null, decidedBy };
  };
}

function storedContact(
  policy: CompiledPolicy,
  record: DecisionLineageRecord,
  destination: Destination,
  digest: DestinationDigest,
): ContactPermission | null {
  if (destination.channel === 'none') return null;
  // Not stored: the gate was that of a person with no consent state.
  if (digest.c === undefined) return noStateContact(policy, destination);
  const [basis, rule, evidence, trackOpens] = digest.c;
  return {
    mayContact: basis !== null,
    trackOpens: trackOpens === 1,
    basis,
    evidenceId: evidenceAt(record, evidence),
    rule,
  };
}

/** The declared attributes the record names, with their positions in the event type. */
function presentPaths(
  policy: CompiledPolicy,
  record: DecisionLineageRecord,
): { spec: EventTypeSpec; present: PresentPath[] } {
  const spec = policy.eventTypesBySource.get(record.source)?.get(record.type);
  if (spec === undefined)
    throw new LineageRenderError(
      record.eventId,
      `event type ${record.source}/${record.type} is not in the policy`,
    );
  const present = record.paths.map((path) => {
    const index = spec.attributes.findIndex((a) => a.path === path);
    if (index < 0) throw new LineageRenderError(record.eventId, `path "${path}" is not declared`);
    return { attribute: { path }, index };
  });
  return { spec, present };
}

/** The forwarded, pseudonymised and withheld paths of a digest, comparable as text. */
function resultOf(d: DestinationDigest): string {
  return JSON.stringify([d.f ?? [], d.p ?? [], d.w ?? {}]);
}

function rendered(
  policy: CompiledPolicy,
  record: DecisionLineageRecord,
  d: DestinationDecision,
): RenderedDecision {
  const out: RenderedDecision = {
    policyVersion: record.policyVersion,
    decisionId: decisionId(policy.contentHash, record.eventId, d.destination.name),
    eventId: record.eventId,
    subject: record.subject,
    time: record.time,
    destination: d.destination.name,
    source: record.source,
    type: record.type,
    outcome: d.outcome,
    attributes: d.attributes,
  };
  const u = record.undeclared;
  const c = d.contact;
  return {
    ...out,
    ...(u === undefined ? {} : { undeclared: { total: u.total, listed: u.listed.length } }),
    ...(c === null
      ? {}
      : {
          contact: {
            mayContact: c.mayContact,
            trackOpens: c.trackOpens,
            basis: c.basis,
            rule: c.rule,
            evidenceId: c.evidenceId,
          },
        }),
  };
}

/**
 * Renders a v2 decision record against the policy version that decided it into the full decision
 * per destination (policy order): per attribute the outcome, reason, rule, purpose, legal basis and
 * evidence, by replaying the stored per-person facts through the same code that decided. Checks the
 * replay against the stored result, and throws {@link LineageRenderError} rather than render a
 * record that does not belong to this policy (other version, unknown path, reason or destination).
 */
export function renderDecision(policy: CompiledPolicy, record: DecisionLineageRecord): RenderedDecision[] {
  if (record.policyVersion !== policy.version)
    throw new LineageRenderError(
      record.eventId,
      `decided by policy ${record.policyVersion}, not ${policy.version}`,
    );
  const { spec, present } = presentPaths(policy, record);
  const statusOf = storedStatuses(policy, spec, record);
  const listed = record.undeclared?.listed ?? [];
  for (const name of Object.keys(record.destinations))
    if (!policy.destinationsByName.has(name))
      throw new LineageRenderError(record.eventId, `destination "${name}" is not in the policy`);
  return policy.destinations.map((destination) => {
    // Absent: the destination got what the policy and the paths alone give (checked below).
    const digest = Object.hasOwn(record.destinations, destination.name)
      ? (record.destinations[destination.name] as DestinationDigest)
      : {};
    const contact = storedContact(policy, record, destination, digest);
    const d = decideDestinationFrom(destination, spec.key, present, listed, contact, statusOf);
    // The replay must give back the stored result (the contact gate is an input of it).
    if (resultOf(destinationDigest(policy, d, new EvidenceList())) !== resultOf(digest))
      throw new LineageRenderError(record.eventId, `the result for "${destination.name}" does not replay`);
    return rendered(policy, record, d);
  });
}

/** Every decision in a stretch of lineage, rendered per destination in log order (R27). */
export function renderLineage(policy: CompiledPolicy, lineage: readonly LineageRecord[]): RenderedDecision[] {
  return lineage.flatMap((l) => (l.kind === 'decision' ? renderDecision(policy, l) : []));
}
