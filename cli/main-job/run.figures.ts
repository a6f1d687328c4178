import { type ProcessResult } from '@app/policy';

/** The figures the main job prints: from the engine's metrics and from `govern dry-run`. */
export type Figures = Map<string, number>;

const add = (f: Figures, key: string, n = 1): void => {
  f.set(key, (f.get(key) ?? 0) + n);
};

/** Same keys as {@link figuresFromMetrics}, computed from dry-run results. */
export function figuresFromDryRun(results: readonly ProcessResult[]): Figures {
  const f: Figures = new Map();
  for (const r of results) {
    for (const rec of r.records)
      if (rec.value.kind === 'suppression') add(f, `suppressions ${rec.destination}`);
    for (const l of r.lineage) {
      if (l.kind !== 'decision') continue;
      if (l.outcome !== 'withheld') add(f, `forwarded ${l.destination}`);
      for (const a of l.attributes)
        if (a.outcome === 'withhold') add(f, `withheld ${l.destination} ${a.reason}`);
    }
    if (r.deadLetter) add(f, `dead letters ${r.deadLetter.code}`);
  }
  return f;
}

const METRIC = /^(engine_[a-z_]+)\{([^}]*)\} ([0-9.e+]+)$/;
const label = (labels: string, name: string): string =>
  new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';

/** Reads the figures off the engine's Prometheus text. */
export function figuresFromMetrics(text: string): { figures: Figures; eventsIn: number } {
  const f: Figures = new Map();
  let eventsIn = 0;
  for (const line of text.split('\n')) {
    const m = METRIC.exec(line);
    if (!m) continue;
    const [, name, labels, value] = m as unknown as [string, string, string, string];
    const n = Number(value);
    if (name === 'engine_events_in_total') eventsIn += n;
    else if (name === 'engine_forwarded_total') add(f, `forwarded ${label(labels, 'destination')}`, n);
    else if (name === 'engine_withheld_attributes_total')
      add(f, `withheld ${label(labels, 'destination')} ${label(labels, 'reason')}`, n);
    else if (name === 'engine_suppressions_total') add(f, `suppressions ${label(labels, 'destination')}`, n);
    else if (name === 'engine_dead_lettered_total') add(f, `dead letters ${label(labels, 'code')}`, n);
  }
  return { figures: f, eventsIn };
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
