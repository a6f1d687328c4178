import { Inject, Injectable } from '@nestjs/common';
import type { DecisionLineageRecord, LineageRecord, RenderedDecision } from '@app/contracts';
import { explainRecordedDecision, LineageRenderError } from '@app/policy';
import { ApiError, notFound } from '../api/api-error';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader, type StoredLineage } from '../lineage/lineage.reader';
import { PolicyVersions } from '../lineage/policy-versions';

type StoredDecision = StoredLineage & { readonly record: DecisionLineageRecord };

/** Why one event went where it went, per destination, in `govern explain`'s words. */
export interface EventExplanationView {
  readonly eventId: string;
  /** The subject pseudonyms the event's records name. */
  readonly subjects: readonly string[];
  readonly kind: LineageRecord['kind'];
  readonly policyVersion: string;
  readonly explanations: readonly { readonly destination: string; readonly lines: readonly string[] }[];
  /** For a source event: the rendered decisions (all destinations, or the one asked for). */
  readonly decisions: readonly RenderedDecision[];
}

/**
 * Explains a recorded event from the lineage store with the same function as `govern explain`
 * (`explainRecordedDecision`): the event's own records, and the assessments of the evidence its
 * decision names (and their confirmations) written before it.
 */
@Injectable()
export class EventExplanation {
  constructor(
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
    private readonly policies: PolicyVersions,
  ) {}

  async explain(eventId: string, destination: string | undefined): Promise<EventExplanationView> {
    const rows = await this.lineage.eventRecords(eventId);
    const first = rows[0];
    if (first === undefined) throw notFound('event');
    const policy = await this.policies.compiled(first.record.policyVersion);
    if (destination !== undefined && !policy.destinationsByName.has(destination))
      throw new ApiError(
        'invalid-request',
        'destination must be a destination of the policy this event was decided under',
      );
    const names = destination === undefined ? policy.destinations.map((d) => d.name) : [destination];
    const records = rows.map((r) => r.record);
    const subjects = [...new Set(records.flatMap((r) => (r.subject === null ? [] : [r.subject])))];
    const decision = rows.find((r): r is StoredDecision => r.record.kind === 'decision');
    const base = { eventId, subjects, policyVersion: policy.version };
    if (decision === undefined)
      return {
        ...base,
        kind: first.record.kind,
        decisions: [],
        explanations: names.map((n) => ({ destination: n, lines: otherLines(eventId, records, n) })),
      };
    const earlier = await this.earlier(decision);
    try {
      const explanations = names.map((n) => ({
        destination: n,
        lines: explainRecordedDecision(policy, records, earlier, n).lines,
      }));
      const decisions = (await this.policies.render(decision.record)).filter((d) =>
        names.includes(d.destination),
      );
      return { ...base, kind: 'decision', explanations, decisions };
    } catch (error) {
      if (error instanceof LineageRenderError)
        throw new ApiError(
          'lineage-unrenderable',
          'a stored decision does not replay against its policy version; report it',
        );
      throw error;
    }
  }

  /** The assessments the decision's evidence trail needs, as they stood before it. */
  private async earlier(decision: StoredDecision): Promise<LineageRecord[]> {
    const ids = decision.record.evidence ?? [];
    if (ids.length === 0) return [];
    return (await this.lineage.assessments(ids, decision.position)).map((r) => r.record);
  }
}

/** The lines `govern explain` prints for consent evidence or a dead letter (no input line number here). */
function otherLines(eventId: string, records: readonly LineageRecord[], destination: string): string[] {
  for (const r of records) {
    if (r.kind === 'dead-letter') return [`Event ${eventId} was dead-lettered: ${r.code}: ${r.reason}`];
    if (r.kind === 'consent-assessment')
      return [
        `Event ${eventId} is consent evidence ${r.evidenceId} (${r.evidenceKind}): ${r.valid ? 'VALID' : 'NOT VALID'}: ${r.reason} [${r.rule}].`,
        ...records.flatMap((s) =>
          s.kind === 'suppression' && s.destination === destination
            ? [`  It produced a suppression record for ${s.destination} (${s.rule}).`]
            : [],
        ),
      ];
  }
  return ['no decision for this destination'];
}
