import type { AggregateCountRecord } from '@app/contracts/aggregate-record.types';
import { type AggregateCountLineageRecord, LINEAGE_VERSION } from '@app/contracts/lineage-record.types';
import type { CompiledAggregate, CompiledPolicy } from '../policy-file/compiled-policy.types';
import { type AggregateContribution, contributionOfKey, countKeyOf } from './contribution';

/** A figure reached: the record for the aggregate's topic and its lineage (R23, R27). */
export interface PublishedCount {
  readonly record: AggregateCountRecord;
  readonly lineage: AggregateCountLineageRecord;
}

/** Where a contribution was counted from: an input partition and the input's offset in it. */
export interface CountedFrom {
  readonly input: string;
  readonly offset: bigint;
}

/** Changelog key of the offsets counted per input partition (count keys are JSON arrays). */
export const COUNTED_KEY = 'counted';

/**
 * Counts contributions per key and publishes a figure each time a count reaches a multiple of the
 * aggregate's minimum count k: k, 2k, 3k… So no figure, and no difference between two figures of a
 * key, stands for fewer than k events, and the figures of a key depend only on how many events it
 * counted, never on their order or on how the input was partitioned (so dry-run and the stream
 * publish the same figures). Pure: its state is exported per key for a changelog.
 *
 * `from` drops copies. A contribution names the input it came from; within one input partition,
 * contributions reach a counter in input order, and a copy (a retried step's, after a reader
 * passed on an aborted one) repeats an offset already counted, so any offset at or below the
 * highest counted of that partition is a copy.
 */
export class AggregateCounter {
  private readonly counts = new Map<string, number>();
  private readonly counted = new Map<string, bigint>();
  /** Keys whose stored count could not be read: nothing more is published for them (fail closed). */
  private readonly frozen = new Set<string>();
  private allFrozen = false;
  private readonly byName: ReadonlyMap<string, CompiledAggregate>;

  constructor(private readonly policy: CompiledPolicy) {
    this.byName = new Map(policy.aggregates.map((a) => [a.name, a]));
  }

  /**
   * Counts one contribution. Returns the changelog keys it changed and the figure it reached, if
   * any. A contribution of an aggregate the policy does not declare, or a copy, changes nothing.
   */
  add(
    c: AggregateContribution,
    from?: CountedFrom,
  ): { readonly changed: readonly string[]; readonly published?: PublishedCount } {
    const aggregate = this.byName.get(c.aggregate);
    if (aggregate === undefined || this.allFrozen) return { changed: [] };
    const changed: string[] = [];
    if (from !== undefined) {
      const highest = this.counted.get(from.input);
      if (highest !== undefined && from.offset <= highest) return { changed: [] };
      this.counted.set(from.input, from.offset);
      changed.push(COUNTED_KEY);
    }
    const key = countKeyOf(c);
    if (this.frozen.has(key)) return { changed };
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    changed.push(key);
    if (count % aggregate.minimumCount !== 0) return { changed };
    return { changed, published: this.figure(aggregate, c, count) };
  }

  /** The JSON-serialisable state under a changelog key, or null when there is none. */
  exportState(key: string): object | null {
    if (key === COUNTED_KEY)
      return this.counted.size === 0
        ? null
        : Object.fromEntries([...this.counted].map(([input, offset]) => [input, offset.toString()]));
    const count = this.counts.get(key);
    return count === undefined ? null : { count };
  }

  /**
   * Restores one changelog record. A record that cannot be read freezes its key (or, for the
   * counted offsets, the whole counter): counting on from nothing would publish figures again that
   * stand for fewer events than were counted, and forgetting offsets would count copies.
   */
  importState(key: string, value: unknown): boolean {
    if (key === COUNTED_KEY) {
      const entries = typeof value === 'object' && value !== null ? Object.entries(value) : null;
      if (entries === null || !entries.every(([, v]) => typeof v === 'string' && /^\d{1,20}$/.test(v))) {
        this.allFrozen = true;
        return false;
      }
      for (const [input, offset] of entries) this.counted.set(input, BigInt(offset as string));
      return true;
    }
    const count = (value as { count?: unknown } | null)?.count;
    if (
      contributionOfKey(key) === null ||
      typeof count !== 'number' ||
      !Number.isSafeInteger(count) ||
      count < 1
    ) {
      this.frozen.add(key);
      return false;
    }
    this.counts.set(key, count);
    return true;
  }

  private figure(a: CompiledAggregate, c: AggregateContribution, count: number): PublishedCount {
    const key = JSON.stringify([c.campaign, c.source, c.type, c.day]);
    const { version, contentHash } = this.policy;
    const base = { campaign: c.campaign, source: c.source, type: c.type, day: c.day };
    const lineage: AggregateCountLineageRecord = {
      lineageVersion: LINEAGE_VERSION,
      kind: 'aggregate-count',
      policyVersion: version,
      eventId: null,
      subject: null,
      time: null,
      aggregate: a.name,
      ...base,
      by: a.by,
      count,
      minimumCount: a.minimumCount,
      rule: 'R23',
    };
    return {
      record: {
        aggregate: a.name,
        topic: a.topic,
        key,
        value: {
          kind: 'aggregate-count',
          aggregate: a.name,
          ...base,
          count,
          minimumCount: a.minimumCount,
          rule: 'R23',
        },
        headers: {
          'policy-version': version,
          'decision-id': `a:${a.name}:${contentHash}:${count}:${key}`,
          'record-kind': 'aggregate-count',
        },
      },
      lineage,
    };
  }
}
