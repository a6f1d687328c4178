import { type DecisionLineageRecord } from '@app/contracts';
import { type CompiledPolicy, renderDecision } from '@app/policy';

/** A dashboard figure a stored record adds to its day: metric, destination, reason. */
export type StatKey = readonly [metric: string, destination: string, reason: string];

/** What the store derives from a decision rendered against its policy version. */
export interface DecisionFacts {
  /** `forwarded` per destination with something forwarded; `withheld` per withheld attribute and reason. */
  readonly stats: readonly StatKey[];
  /**
   * `destination:evidenceId` for each evidence id a forwarded attribute or a permitted contact
   * relied on (destination names contain no `:`). Those ids are among the record's `evidence`.
   */
  readonly forwardedUnder: readonly string[];
}

/**
 * Renders a decision record with the code that decided (`renderDecision`) and keeps the figures
 * the dashboard and the recall query need. The figures are those of `figuresFromDryRun`: a
 * decision counts as forwarded to a destination unless its outcome there is `withheld`, and every
 * withheld attribute counts once under its reason. Throws when the record does not render.
 */
export function decisionFacts(policy: CompiledPolicy, record: DecisionLineageRecord): DecisionFacts {
  const stats: StatKey[] = [];
  const under = new Set<string>();
  for (const d of renderDecision(policy, record)) {
    if (d.outcome !== 'withheld') stats.push(['forwarded', d.destination, '']);
    for (const a of d.attributes) {
      if (a.outcome === 'withhold') stats.push(['withheld', d.destination, a.reason]);
      else if (a.evidenceId !== null) {
        under.add(`${d.destination}:${a.evidenceId}`);
      }
    }
    const c = d.contact;
    if (d.outcome !== 'withheld' && c !== undefined && c.mayContact && c.evidenceId !== null) {
      under.add(`${d.destination}:${c.evidenceId}`);
    }
  }
  return { stats, forwardedUnder: [...under] };
}
