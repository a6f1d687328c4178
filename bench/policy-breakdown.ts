import { performance } from 'node:perf_hooks';
import type { GovernanceProcessor, ProcessResult } from '@app/policy';

/**
 * Where the decision core's time goes, per kind of event: each event is timed on its own through a
 * fresh processor and through the baseline (JSON.parse + JSON.stringify), side by side. Why: the
 * profile of the whole run is flat (many 1–5 % items), and which kinds of event cost most over
 * their own parsing is what tells where a change can pay. Per-event timers add the same small
 * overhead to both columns, so read the excess column, not the absolute figures.
 */
export interface KindCost {
  readonly kind: string;
  readonly events: number;
  /** Mean microseconds per event: the core (process and serialise records) and the baseline. */
  readonly coreUs: number;
  readonly baselineUs: number;
}

function kindOf(r: ProcessResult): string {
  if (r.outcome === 'dead-letter') return `dead letter: ${r.deadLetter?.code ?? 'unknown'}`;
  if (r.outcome === 'consent') return `consent evidence: ${r.assessment?.kind ?? 'unknown'}`;
  const first = r.lineage.find((l) => l.kind === 'decision');
  return first !== undefined && first.kind === 'decision' ? `${first.source} ${first.type}` : 'source event';
}

/** `events` must be well-formed JSON, as the bench's are (the baseline parses them). */
export function costByKind(events: readonly string[], processor: GovernanceProcessor): KindCost[] {
  const core = new Map<string, number>();
  const base = new Map<string, number>();
  const count = new Map<string, number>();
  let bytes = 0;
  for (const event of events) {
    const t0 = performance.now();
    const r = processor.process(event);
    for (const rec of r.records) bytes += JSON.stringify(rec.value).length;
    const t1 = performance.now();
    bytes += JSON.stringify(JSON.parse(event) as unknown).length;
    const t2 = performance.now();
    const kind = kindOf(r);
    core.set(kind, (core.get(kind) ?? 0) + (t1 - t0));
    base.set(kind, (base.get(kind) ?? 0) + (t2 - t1));
    count.set(kind, (count.get(kind) ?? 0) + 1);
  }
  if (bytes === 0 && events.length > 0) throw new Error('no output');
  return [...count].map(([kind, n]) => ({
    kind,
    events: n,
    coreUs: ((core.get(kind) ?? 0) * 1000) / n,
    baselineUs: ((base.get(kind) ?? 0) * 1000) / n,
  }));
}

/** The table, costliest kinds (by total time over the baseline) first. */
export function formatCostByKind(rows: readonly KindCost[]): string {
  const excessTotal = rows.reduce((sum, r) => sum + (r.coreUs - r.baselineUs) * r.events, 0);
  const sorted = [...rows].sort(
    (a, b) => (b.coreUs - b.baselineUs) * b.events - (a.coreUs - a.baselineUs) * a.events,
  );
  const f2 = (n: number): string => n.toFixed(2).padStart(7);
  const lines = [
    'share of excess   events    core µs  baseline µs  excess µs  kind',
    ...sorted.map(
      (r) =>
        `${`${((100 * (r.coreUs - r.baselineUs) * r.events) / excessTotal).toFixed(1)} %`.padStart(15)}` +
        `${String(r.events).padStart(9)}  ${f2(r.coreUs)}      ${f2(r.baselineUs)}    ${f2(r.coreUs - r.baselineUs)}  ${r.kind}`,
    ),
  ];
  return lines.join('\n');
}
