import type { LineageRecord } from '@app/contracts';
import { type QueryResultRow } from 'pg';
import { type Queryable } from '@app/audit-store';
import { ApiError } from '../api/api-error';
import { type LineageReader, type Slice, type StoredLineage } from './lineage.reader';

/** The log order of the store: record time (µs, UTC), then topic, partition, offset. */
interface Key {
  readonly time: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

const TIME_TEXT = `to_char(record_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const COLUMNS = `${TIME_TEXT} as t, topic, kafka_partition as p, kafka_offset::text as o, record`;
const ORDER = 'order by record_time, topic, kafka_partition, kafka_offset';
const AFTER = (n: number): string =>
  `($${n}::timestamptz is null or (record_time, topic, kafka_partition, kafka_offset) > ($${n}::timestamptz, $${n + 1}::text, $${n + 2}::int, $${n + 3}::bigint))`;

/** A position as text: `<time>|<partition>|<offset>|<topic>` (the topic last: it may hold anything but `|`). */
export function positionOf(key: Key): string {
  return `${key.time}|${key.partition}|${key.offset}|${key.topic}`;
}

/** The key of a position this reader issued, or a refusal (a cursor is input). */
export function keyOf(position: string): Key {
  const m =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,10})\|(\d{1,19})\|([A-Za-z0-9._-]{1,249})$/.exec(
      position,
    );
  if (
    m === null ||
    !Number.isFinite(Date.parse(m[1] as string)) ||
    Number(m[2]) > 2 ** 31 - 1 ||
    BigInt(m[3] as string) > 2n ** 63n - 1n
  )
    throw new ApiError('invalid-cursor', 'cursor must be a nextCursor returned by this list, unchanged');
  return { time: m[1] as string, partition: Number(m[2]), offset: m[3] as string, topic: m[4] as string };
}

/** Orders two positions as the store does. */
export function comparePositions(a: string, b: string): number {
  const x = keyOf(a);
  const y = keyOf(b);
  const text = (s: string, t: string): number => (s < t ? -1 : s > t ? 1 : 0);
  return (
    text(x.time, y.time) ||
    text(x.topic, y.topic) ||
    x.partition - y.partition ||
    (BigInt(x.offset) < BigInt(y.offset) ? -1 : BigInt(x.offset) > BigInt(y.offset) ? 1 : 0)
  );
}

function afterParams(after: string | undefined): unknown[] {
  if (after === undefined) return [null, null, null, null];
  const k = keyOf(after);
  return [k.time, k.topic, k.partition, k.offset];
}

interface Row extends QueryResultRow {
  t: string;
  topic: string;
  p: number;
  o: string;
  record: LineageRecord | null;
}

/**
 * The auditor API's reads over the sink's tables (`audit_lineage`, `audit_policy_version`): each
 * one parameterised query on an index of the store (subject + time, event id, evidence ids (GIN),
 * form version, alias, code + time); rows the sink could not read (no record) are skipped.
 */
export class StoreLineageReader implements LineageReader {
  constructor(private readonly db: Queryable) {}

  private async rows(sql: string, params: unknown[]): Promise<StoredLineage[]> {
    const found = (await this.db.query<Row>(sql, params)).rows;
    return found.flatMap((r) =>
      r.record === null
        ? []
        : [
            {
              position: positionOf({ time: r.t, topic: r.topic, partition: r.p, offset: r.o }),
              record: r.record,
            },
          ],
    );
  }

  subjectRecords(
    subjects: readonly string[],
    slice: Slice & { from?: string; to?: string },
  ): Promise<StoredLineage[]> {
    return this.rows(
      `select ${COLUMNS} from audit_lineage
       where (subject = any($1::text[]) or (kind = 'identity-link' and alias = any($1::text[])))
         and ($2::timestamptz is null or record_time >= $2::timestamptz)
         and ($3::timestamptz is null or record_time < $3::timestamptz)
         and ${AFTER(4)} ${ORDER} limit $8`,
      [subjects, slice.from ?? null, slice.to ?? null, ...afterParams(slice.after), slice.limit],
    );
  }

  async linkedSubjects(subjects: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query<{ s: string }>(
      `select distinct case when alias = any($1::text[]) then subject else alias end as s from audit_lineage
       where kind = 'identity-link' and (record->>'linked')::boolean
         and (alias = any($1::text[]) or subject = any($1::text[]))
       limit 64`,
      [subjects],
    );
    return rows.map((r) => r.s).filter((s) => typeof s === 'string');
  }

  eventRecords(eventId: string): Promise<StoredLineage[]> {
    return this.rows(`select ${COLUMNS} from audit_lineage where event_id = $1 ${ORDER} limit 1000`, [
      eventId,
    ]);
  }

  /**
   * "Before" is the offset order within the decision's own partition (an event collected before a
   * consent can be decided after it, so times would mislead); records of other partitions have no
   * order relative to it, and count as before when their time is not later.
   */
  assessments(evidenceIds: readonly string[], before?: string): Promise<StoredLineage[]> {
    const k = before === undefined ? null : keyOf(before);
    return this.rows(
      `select ${COLUMNS} from audit_lineage
       where kind = 'consent-assessment' and evidence_ids && $1::text[]
         and ($2::timestamptz is null
              or (topic = $3::text and kafka_partition = $4::int and kafka_offset < $5::bigint)
              or ((topic <> $3::text or kafka_partition <> $4::int) and record_time <= $2::timestamptz))
       ${ORDER} limit 10000`,
      [evidenceIds, k?.time ?? null, k?.topic ?? null, k?.partition ?? null, k?.offset ?? null],
    );
  }

  suppressionsCiting(evidenceIds: readonly string[]): Promise<StoredLineage[]> {
    return this.rows(
      `select ${COLUMNS} from audit_lineage where kind = 'suppression' and evidence_ids && $1::text[] ${ORDER} limit 10000`,
      [evidenceIds],
    );
  }

  async policyText(version: string): Promise<string | null> {
    const { rows } = await this.db.query<{ text: string }>(
      'select policy_text as text from audit_policy_version where policy_version = $1',
      [version],
    );
    return rows[0]?.text ?? null;
  }

  async latestPolicyVersion(): Promise<string | null> {
    const { rows } = await this.db.query<{ v: string }>(
      'select policy_version as v from audit_policy_version order by first_seen_at desc, policy_version desc limit 1',
    );
    return rows[0]?.v ?? null;
  }
}
