import { Injectable } from '@nestjs/common';
import { type DailyStat, LineageQueries, MAX_STAT_DAYS } from '@app/audit-store';
import { ApiError } from '../api/api-error';

/** Longest range one statistics request covers, in days (the store's bound). */
const MAX_DAYS = MAX_STAT_DAYS;
const DAY_MS = 86_400_000;

export interface Statistics {
  readonly from: string;
  readonly to: string;
  /**
   * Per day (UTC), `metric` (`forwarded` and `withheld` count attributes; `suppression`,
   * `dead-letter`, `unreadable`, `unrenderable` count records; `aggregate-figure` counts the figures
   * published on an anonymous aggregate's output, with the aggregate's name as destination),
   * destination, and reason (withheld: the reason code; dead letters: their code).
   */
  readonly rows: readonly DailyStat[];
}

/** `from`..`to` (days, inclusive), defaulting to the 30 days up to `today`; bounded. */
export function dayRange(
  from: string | undefined,
  to: string | undefined,
  today: string,
): { from: string; to: string } {
  const last = to ?? today;
  const first = from ?? new Date(Date.parse(`${last}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS + 1;
  if (!(days >= 1)) throw new ApiError('invalid-request', 'from must not be after to');
  if (days > MAX_DAYS)
    throw new ApiError('invalid-request', `the range from..to must be at most ${MAX_DAYS} days`);
  return { from: first, to: last };
}

/**
 * The dashboard's figures, as the sink keeps them per day in the transaction that stores the
 * records (so a request reads a few rows per day, whatever the traffic): attributes forwarded and
 * withheld by reason per destination, suppressions, and dead letters by code.
 */
@Injectable()
export class StatisticsQuery {
  constructor(private readonly store: LineageQueries) {}

  async decisions(range: { from: string; to: string }, destination?: string): Promise<Statistics> {
    const rows = await this.store.dailyStatistics({ ...range, destination });
    return { ...range, rows: rows.filter((r) => r.metric !== 'dead-letter' && r.metric !== 'unreadable') };
  }

  async deadLetters(range: { from: string; to: string }): Promise<Statistics> {
    return { ...range, rows: await this.store.deadLettersByCode(range) };
  }
}
