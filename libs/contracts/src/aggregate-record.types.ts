/**
 * R23's anonymous per-campaign counts. Opens and clicks become personal events only with the
 * engagement-tracking consent; what may always be kept is a count per campaign with no identifier.
 * A figure is published only when the count reaches a multiple of the aggregate's minimum count k,
 * so no figure, and no difference between two figures, stands for fewer than k events.
 */

/** The value of a record on an aggregate topic (key: `[campaign, source, type, day]` as JSON). */
export interface AggregateCountValue {
  readonly kind: 'aggregate-count';
  readonly aggregate: string;
  readonly campaign: string;
  readonly source: string;
  readonly type: string;
  /** Event-time day, UTC (`YYYY-MM-DD`). */
  readonly day: string;
  /** Events counted so far for this key: a multiple of `minimumCount`, never less than it. */
  readonly count: number;
  readonly minimumCount: number;
  readonly rule: 'R23';
}

/** Headers of an aggregate record: no event id (a figure stands for many events). */
export interface AggregateCountHeaders {
  readonly 'policy-version': string;
  readonly 'decision-id': string;
  readonly 'record-kind': 'aggregate-count';
  readonly [name: string]: string;
}

/** One record to produce on an aggregate topic. */
export interface AggregateCountRecord {
  readonly aggregate: string;
  readonly topic: string;
  readonly key: string;
  readonly value: AggregateCountValue;
  readonly headers: AggregateCountHeaders;
}
