import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import { explainDecision } from '../decision/decision.explainer';
import type { ReplayedEvent } from '../processor/replay';
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
  if (r.assessment !== undefined) {
    const a = r.assessment;
    return answer(true, [
      `Event ${eventId} is consent evidence ${a.evidenceId} (${a.kind}): ${a.valid ? 'VALID' : 'NOT VALID'}: ${a.reason} [${a.rule}].`,
      ...r.records
        .filter((x) => x.destination === destination)
        .map(
          (x) =>
            `  It produced a suppression record for ${x.destination} (${x.value.kind === 'suppression' ? x.value.rule : ''}).`,
        ),
    ]);
  }
  const d = r.decisions?.find((x) => x.destination.name === destination);
  if (d === undefined) return answer(false, ['no decision for this destination']);
  const links = r.lineage.flatMap((l) =>
    l.kind === 'identity-link'
      ? [`  Identity link: ${l.linked ? 'made' : 'refused'}: ${l.reason} [${l.rule}].`]
      : [],
  );
  const named = [
    ...(d.contact?.evidenceId == null ? [] : [d.contact.evidenceId]),
    ...d.attributes.flatMap((a) => (a.evidenceId === null ? [] : [a.evidenceId])),
  ];
  const earlier = results.slice(0, results.indexOf(hit)).flatMap((x) => x.result.lineage);
  const assessmentIds = new Set(
    policy.destinations.flatMap((dest) =>
      [...dest.plans.values()].flatMap((plans) =>
        plans.flatMap((p) => p.assessed.map((a) => a.assessmentId)),
      ),
    ),
  );
  const trail = evidenceTrail(named, earlier, assessmentIds);
  return answer(true, [
    ...explainDecision(policy, eventId, d),
    ...links,
    ...(trail.length === 0
      ? []
      : ['  Evidence relied on or cited, from the lineage before this event (R27):', ...trail]),
  ]);
}
