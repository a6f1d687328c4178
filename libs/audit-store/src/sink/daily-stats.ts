import { type StatKey } from './decision-facts';

const DAY_MS = 86_400_000;

/** One figure of `audit_daily_stat`: a count to add to its day, metric, destination and reason. */
export interface DailyStatRow {
  readonly day: string;
  readonly metric: string;
  readonly destination: string;
  readonly reason: string;
  readonly count: number;
}

const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The daily figures a transaction adds, counted by UTC day number and then by metric, destination
 * and reason (nested maps: the sink counts tens of thousands of rows a batch, so no key is built
 * per row and a day is named once).
 */
export class DailyStats {
  private readonly days = new Map<number, Map<string, Map<string, Map<string, number>>>>();
  private total = 0;

  add(time: Date, [metric, destination, reason]: StatKey): void {
    const dayNumber = Math.floor(time.getTime() / DAY_MS);
    let metrics = this.days.get(dayNumber);
    if (metrics === undefined) this.days.set(dayNumber, (metrics = new Map()));
    let destinations = metrics.get(metric);
    if (destinations === undefined) metrics.set(metric, (destinations = new Map()));
    let reasons = destinations.get(destination);
    if (reasons === undefined) destinations.set(destination, (reasons = new Map()));
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    this.total++;
  }

  /** How many figures were added (one per row and key). */
  get count(): number {
    return this.total;
  }

  /**
   * The rows, in one fixed order (day, metric, destination, reason): two transactions adding to the
   * same figures lock them in the same order, so they never wait on each other in a cycle.
   */
  rows(): DailyStatRow[] {
    const out: DailyStatRow[] = [];
    for (const [dayNumber, metrics] of [...this.days].sort(([a], [b]) => a - b)) {
      const day = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
      for (const [metric, destinations] of [...metrics].sort(byKey))
        for (const [destination, reasons] of [...destinations].sort(byKey))
          for (const [reason, count] of [...reasons].sort(byKey))
            out.push({ day, metric, destination, reason, count });
    }
    return out;
  }
}
