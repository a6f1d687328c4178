import { addFigure, type Figures } from '@app/policy';

const METRIC = /^(engine_[a-z_]+)\{([^}]*)\} ([0-9.e+]+)$/;
const label = (labels: string, name: string): string =>
  new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';

/** Reads the outcome figures off the engine's Prometheus text. */
export function figuresFromMetrics(text: string): { figures: Figures; eventsIn: number } {
  const f: Figures = new Map();
  let eventsIn = 0;
  for (const line of text.split('\n')) {
    const m = METRIC.exec(line);
    if (!m) continue;
    const [, name, labels, value] = m as unknown as [string, string, string, string];
    const n = Number(value);
    if (name === 'engine_events_in_total') eventsIn += n;
    else if (name === 'engine_forwarded_total') addFigure(f, `forwarded ${label(labels, 'destination')}`, n);
    else if (name === 'engine_withheld_attributes_total')
      addFigure(f, `withheld ${label(labels, 'destination')} ${label(labels, 'reason')}`, n);
    else if (name === 'engine_suppressions_total')
      addFigure(f, `suppressions ${label(labels, 'destination')}`, n);
    else if (name === 'engine_aggregate_figures_total')
      addFigure(f, `aggregate figures ${label(labels, 'aggregate')}`, n);
    else if (name === 'engine_dead_lettered_total') addFigure(f, `dead letters ${label(labels, 'code')}`, n);
  }
  return { figures: f, eventsIn };
}
