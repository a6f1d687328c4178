import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../api/api-error';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type DeadLetterCount, type LineageReader } from '../lineage/lineage.reader';
import { PolicyVersions } from '../lineage/policy-versions';

/** Longest range one statistics request covers, and the most decisions it renders. */
const MAX_DAYS = 92;
const MAX_DECISIONS = 500_000;
const SLICE = 5000;

/** Attributes forwarded, pseudonymised or withheld, by reason, per destination and day (UTC). */
export interface DecisionCount {
  readonly day: string;
  readonly destination: string;
  readonly outcome: 'forward' | 'pseudonymise' | 'withhold';
  readonly reason: string;
  readonly attributes: number;
}

export interface Statistics<T> {
  readonly from: string;
  readonly to: string;
  readonly rows: readonly T[];
  readonly truncated: boolean;
}

const DAY_MS = 86_400_000;

/** `from`..`to` (days, inclusive) as a time range, defaulting to the last 30 days; bounded. */
export function dayRange(
  from: string | undefined,
  to: string | undefined,
  today: string,
): { from: string; to: string; end: string } {
  const last = to ?? today;
  const first = from ?? new Date(Date.parse(`${last}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS + 1;
  if (!(days >= 1)) throw new ApiError('invalid-request', 'from must not be after to');
  if (days > MAX_DAYS)
    throw new ApiError('invalid-request', `the range from..to must be at most ${MAX_DAYS} days`);
  const end = new Date(Date.parse(`${last}T00:00:00Z`) + DAY_MS).toISOString();
  return { from: first, to: last, end };
}

/**
 * The dashboard's figures: per day, destination, outcome and reason, how many attributes were
 * forwarded or withheld (rendered from the decision records, so reasons the policy alone implies
 * are counted too); and dead letters per day and code.
 */
@Injectable()
export class StatisticsQuery {
  constructor(
    @Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader,
    private readonly policies: PolicyVersions,
  ) {}

  async decisions(
    range: { from: string; to: string; end: string },
    destination?: string,
  ): Promise<Statistics<DecisionCount>> {
    const counts = new Map<string, number>();
    let read = 0;
    let truncated = false;
    for (let after: string | undefined; ; ) {
      const rows = await this.lineage.decisionsBetween(`${range.from}T00:00:00Z`, range.end, {
        after,
        limit: SLICE,
      });
      for (const row of rows) {
        if (row.record.kind !== 'decision') continue;
        for (const d of await this.policies.render(row.record)) {
          if (destination !== undefined && d.destination !== destination) continue;
          for (const a of d.attributes) {
            const key = [d.time.slice(0, 10), d.destination, a.outcome, a.reason].join('\u0000');
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
      }
      read += rows.length;
      if (rows.length < SLICE) break;
      if (read >= MAX_DECISIONS) {
        truncated = true;
        break;
      }
      after = rows[rows.length - 1]?.position;
    }
    const rows = [...counts]
      .map(([key, attributes]) => {
        const [day, dest, outcome, reason] = key.split('\u0000') as [
          string,
          string,
          DecisionCount['outcome'],
          string,
        ];
        return { day, destination: dest, outcome, reason, attributes };
      })
      .sort(
        (a, b) =>
          a.day.localeCompare(b.day) ||
          a.destination.localeCompare(b.destination) ||
          a.outcome.localeCompare(b.outcome) ||
          a.reason.localeCompare(b.reason),
      );
    return { from: range.from, to: range.to, rows, truncated };
  }

  async deadLetters(range: { from: string; to: string; end: string }): Promise<Statistics<DeadLetterCount>> {
    const rows = await this.lineage.deadLetterCounts(`${range.from}T00:00:00Z`, range.end);
    return { from: range.from, to: range.to, rows, truncated: false };
  }
}
