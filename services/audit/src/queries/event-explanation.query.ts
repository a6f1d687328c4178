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
    if (decision === undefined) {
      // Consent evidence is explained by the same function as `govern explain`; a dead letter as it
      // prints one, without the input line number (the store knows the offset, not the file line).
      const dead = records.find((r) => r.kind === 'dead-letter');
      const lines = (n: string): readonly string[] =>
        dead?.kind === 'dead-letter'
          ? [`Event ${eventId} was dead-lettered: ${dead.code}: ${dead.reason}`]
          : explainRecordedDecision(policy, records, [], n).lines;
      return {
        ...base,
        kind: first.record.kind,
        decisions: [],
        explanations: names.map((n) => ({ destination: n, lines: lines(n) })),
      };
    }
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
