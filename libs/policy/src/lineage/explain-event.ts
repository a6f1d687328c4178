import type { IdentityLinkLineageRecord, LineageRecord } from '@app/contracts/lineage-record.types';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import { explainDecision } from '../decision/decision.explainer';
import type { ReplayedEvent } from '../processor/replay';
import { renderDecision } from './decision.renderer';
import { evidenceTrail } from './evidence-trail';

/** What {@link explainEvent} says: lines for a person to read, and whether the question made sense. */
export interface EventExplanation {
  /** False when the destination or the event is unknown, or there is no decision to explain. */
  readonly found: boolean;
  readonly lines: string[];
}

/**
 * Why each attribute of one event was or was not forwarded to one destination, with the rule
 * numbers and the consent evidence relied on, read back from the lineage written before it (R27).
 * `results` are the replayed events in order (the same decisions the stream took). Never prints a
 * value.
 */
export function explainEvent(
  policy: CompiledPolicy,
  results: readonly ReplayedEvent[],
  eventId: string,
  destination: string,
): EventExplanation {
  const answer = (found: boolean, lines: string[]): EventExplanation => ({ found, lines });
  if (!policy.destinationsByName.has(destination)) {
    return answer(false, [`unknown destination "${destination}"`]);
  }
  const hit = results.find((r) => r.result.eventId === eventId);
  if (hit === undefined) return answer(false, [`event "${eventId}" is not in the input`]);
  const r = hit.result;
  if (r.deadLetter !== undefined) {
    return answer(true, [
      `Event ${eventId} (line ${hit.line}) was dead-lettered: ${r.deadLetter.code}: ${r.deadLetter.reason}`,
    ]);
  }
  // Read back from the lineage written for the event, as an auditor reading the log would (R27).
  const earlier = results.slice(0, results.indexOf(hit)).flatMap((x) => x.result.lineage);
  return explainRecordedDecision(policy, r.lineage, earlier, destination);
}

/**
 * Why each attribute of one recorded decision was or was not forwarded to one destination, from the
 * lineage alone (for consent evidence: its assessment and the suppressions it sent there):
 * `eventLineage` holds the event's records (its decision or assessment, identity links, suppressions),
 * `earlier` the lineage written before it (at least the assessments of the evidence the decision
 * names and the confirmations of those, in log order). What `govern explain` prints, and what the
 * auditor API answers from the lineage store. Never prints a value.
 */
export function explainRecordedDecision(
  policy: CompiledPolicy,
  eventLineage: readonly LineageRecord[],
  earlier: readonly LineageRecord[],
  destination: string,
): EventExplanation {
  const answer = (found: boolean, lines: string[]): EventExplanation => ({ found, lines });
  if (!policy.destinationsByName.has(destination)) {
    return answer(false, [`unknown destination "${destination}"`]);
  }
  const record = eventLineage.find((l) => l.kind === 'decision');
  if (record === undefined) {
    // Consent evidence: its assessment as folded into the state, and the suppressions it sent.
    const a = eventLineage.find((l) => l.kind === 'consent-assessment');
    if (a === undefined) return answer(false, ['no decision for this destination']);
    return answer(true, [
      `Event ${a.eventId ?? '?'} is consent evidence ${a.evidenceId} (${a.evidenceKind}): ${a.valid ? 'VALID' : 'NOT VALID'}: ${a.reason} [${a.rule}].`,
      ...eventLineage.flatMap((x) =>
        x.kind === 'suppression' && x.destination === destination
          ? [`  It produced a suppression record for ${x.destination} (${x.rule}).`]
          : [],
      ),
    ]);
  }
  const d = renderDecision(policy, record).find((x) => x.destination === destination);
  if (d === undefined) return answer(false, ['no decision for this destination']);
  const linkPurpose =
    policy.eventTypesBySource.get(record.source)?.get(record.type)?.identityLink?.requiresPurpose.key ?? null;
  const links = eventLineage.flatMap((l) =>
    l.kind === 'identity-link' ? [`  Identity link: ${linkSentence(l, linkPurpose)} [R25].`] : [],
  );
  const named = [
    ...(d.contact?.evidenceId == null ? [] : [d.contact.evidenceId]),
    ...d.attributes.flatMap((a) => (a.evidenceId === null ? [] : [a.evidenceId])),
  ];
  const assessmentIds = new Set(
    policy.destinations.flatMap((dest) =>
      [...dest.plans.values()].flatMap((plans) =>
        plans.flatMap((p) => p.assessed.map((a) => a.assessmentId)),
      ),
    ),
  );
  const trail = evidenceTrail(named, earlier, assessmentIds);
  return answer(true, [
    ...explainDecision(policy, d),
    ...links,
    ...(trail.length === 0
      ? []
      : ['  Evidence relied on or cited, from the lineage before this event (R27):', ...trail]),
  ]);
}

/**
 * An identity link in words: a cookie link needs the purpose's consent on the identifier; an event
 * type without one links a declared identifier (an e-mail address the source knows), which only
 * another person's earlier claim refuses (identifier-taken).
 */
function linkSentence(l: IdentityLinkLineageRecord, purpose: string | null): string {
  const by = `${l.refusedBy?.reason ?? 'no-consent'} / ${l.refusedBy?.rule ?? 'R4'}`;
  if (purpose === null)
    return l.linked
      ? 'made: a declared identifier the source knows the person by'
      : `refused: the identifier already belongs to another person (${by}); the identities stay separate`;
  return l.linked
    ? `made: linked under ${purpose} consent`
    : `refused: no valid consent for ${purpose} on the identifier (${by}); the identities stay separate`;
}
