import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { ProcessResult } from '../processor/processor.types';
import { countReplayed } from '../aggregate/count-replay';
import { renderLineage } from './decision.renderer';

/**
 * Outcome figures (forwarded, withheld by reason, suppressions, dead letters by code) keyed the same
 * way whether they come from the engine's metrics or from replayed results, so the two can be
 * compared side by side.
 */
export type Figures = Map<string, number>;

export const addFigure = (f: Figures, key: string, n = 1): void => {
  f.set(key, (f.get(key) ?? 0) + n);
};

/**
 * Outcome figures of replayed results (the engine's metrics are read into the same keys). The
 * decisions are rendered from the lineage the results hold (v2 digests against `policy`), so a
 * match with the engine's metrics also shows that the lineage carries every decision.
 */
export function figuresFromDryRun(policy: CompiledPolicy, results: readonly ProcessResult[]): Figures {
  const f: Figures = new Map();
  for (const r of results) {
    for (const rec of r.records)
      if (rec.value.kind === 'suppression') addFigure(f, `suppressions ${rec.destination}`);
    for (const d of renderLineage(policy, r.lineage)) {
      if (d.outcome !== 'withheld') addFigure(f, `forwarded ${d.destination}`);
      for (const a of d.attributes)
        if (a.outcome === 'withhold') addFigure(f, `withheld ${d.destination} ${a.reason}`);
    }
    if (r.deadLetter) addFigure(f, `dead letters ${r.deadLetter.code}`);
  }
  // Every declared aggregate has a row, so a run that reaches no figure still shows it.
  for (const a of policy.aggregates) addFigure(f, `aggregate figures ${a.name}`, 0);
  for (const { record } of countReplayed(policy, results))
    addFigure(f, `aggregate figures ${record.aggregate}`);
  return f;
}

/** Side-by-side table and whether every figure matches. */
export function compareFigures(engine: Figures, dryRun: Figures): { lines: string[]; match: boolean } {
  const keys = [...new Set([...engine.keys(), ...dryRun.keys()])].sort();
  const width = Math.max(20, ...keys.map((k) => k.length));
  let match = true;
  const lines = [`${'figure'.padEnd(width)}  ${'engine'.padStart(8)}  ${'dry-run'.padStart(8)}`];
  for (const k of keys) {
    const a = engine.get(k) ?? 0;
    const b = dryRun.get(k) ?? 0;
    if (a !== b) match = false;
    lines.push(
      `${k.padEnd(width)}  ${String(a).padStart(8)}  ${String(b).padStart(8)}${a === b ? '' : '  <- differs'}`,
    );
  }
  return { lines, match };
}
