import type { DecisionLineageRecord, RenderedDecision } from '@app/contracts';
import {
  decisionId,
  renderDecision,
  type CompiledPolicy,
  type DestinationDecision,
  type ProcessResult,
} from '@app/policy';

/** The full decision as the core computed it, in the shape v1 stored and the renderer gives back. */
function computed(
  policy: CompiledPolicy,
  record: DecisionLineageRecord,
  d: DestinationDecision,
): RenderedDecision {
  const c = d.contact;
  const u = record.undeclared;
  return {
    policyVersion: policy.version,
    decisionId: decisionId(policy.contentHash, record.eventId, d.destination.name),
    eventId: record.eventId,
    subject: record.subject,
    time: record.time,
    destination: d.destination.name,
    source: record.source,
    type: record.type,
    outcome: d.outcome,
    attributes: d.attributes.map((a) => ({ ...a })),
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
 * Renders the result's stored v2 decision record (read back through JSON, as the log holds it)
 * against `rendering` and compares it field by field with the full decisions the core computed
 * under `deciding`. Returns `eventId destination` of each decision that differs; none when equal.
 */
export function renderingDiffers(
  deciding: CompiledPolicy,
  rendering: CompiledPolicy,
  result: ProcessResult,
): string[] {
  const stored = result.lineage.find((l) => l.kind === 'decision');
  if (stored === undefined) return result.decisions === undefined ? [] : [`${result.eventId} no record`];
  const record = JSON.parse(JSON.stringify(stored)) as DecisionLineageRecord;
  const rendered = renderDecision(rendering, record);
  const expected = (result.decisions ?? []).map((d) => computed(deciding, record, d));
  if (rendered.length !== expected.length) return [`${record.eventId} destinations`];
  // Through JSON, so an undefined field cannot hide behind a missing one.
  return expected.flatMap((e, i) =>
    JSON.stringify(rendered[i]) === JSON.stringify(e) ? [] : [`${record.eventId} ${e.destination}`],
  );
}
