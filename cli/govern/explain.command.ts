import { evidenceTrail, explainDecision } from '@app/policy';
import { replay, type ReplayOptions } from './dry-run.command';

import type { CommandOutput } from './validate.command';

/** `govern explain`: why each attribute of one event was or was not forwarded to one destination. */
export function explainCommand(
  options: ReplayOptions & { readonly eventId: string; readonly destination: string },
): CommandOutput {
  const replayed = replay(options);
  if (replayed.failure !== undefined) return replayed.failure;
  const { results, processor } = replayed;
  if (!processor.policy.destinationsByName.has(options.destination)) {
    return { exitCode: 1, lines: [`unknown destination "${options.destination}"`] };
  }
  const hit = results.find((r) => r.result.eventId === options.eventId);
  if (hit === undefined) return { exitCode: 1, lines: [`event "${options.eventId}" is not in the input`] };
  const r = hit.result;
  if (r.deadLetter !== undefined) {
    return {
      exitCode: 0,
      lines: [
        `Event ${options.eventId} (line ${hit.line}) was dead-lettered: ${r.deadLetter.code}: ${r.deadLetter.reason}`,
      ],
    };
  }
  if (r.assessment !== undefined) {
    const a = r.assessment;
    return {
      exitCode: 0,
      lines: [
        `Event ${options.eventId} is consent evidence ${a.evidenceId} (${a.kind}): ${a.valid ? 'VALID' : 'NOT VALID'}: ${a.reason} [${a.rule}].`,
        ...r.records
          .filter((x) => x.destination === options.destination)
          .map(
            (x) =>
              `  It produced a suppression record for ${x.destination} (${x.value.kind === 'suppression' ? x.value.rule : ''}).`,
          ),
      ],
    };
  }
  const d = r.decisions?.find((x) => x.destination.name === options.destination);
  if (d === undefined) return { exitCode: 1, lines: ['no decision for this destination'] };
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
    processor.policy.destinations.flatMap((dest) =>
      [...dest.plans.values()].flatMap((plans) =>
        plans.flatMap((p) => p.assessed.map((a) => a.assessmentId)),
      ),
    ),
  );
  const trail = evidenceTrail(named, earlier, assessmentIds);
  return {
    exitCode: 0,
    lines: [
      ...explainDecision(processor.policy, options.eventId, d),
      ...links,
      ...(trail.length === 0
        ? []
        : ['  Evidence relied on or cited, from the lineage before this event (R27):', ...trail]),
    ],
  };
}
