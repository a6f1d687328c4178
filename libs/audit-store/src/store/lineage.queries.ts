import { type LineageRecord } from '@app/contracts';
import { type Pool, type QueryResultRow } from 'pg';
import {
  type CursorTag,
  decodeRowCursor,
  decodeTextCursor,
  encodeRowCursor,
  encodeTextCursor,
  type RowKey,
} from './cursor';
import { type StoredKind } from './lineage-row';
import { MAX_FIELD_CHARS } from './lineage-row.mapper';
import { dayRange, identifier, identifiers, kinds, pageSize, timeRange } from './query-input';
import {
  type AccessExportData,
  type DailyStat,
  type DeadLetterQuery,
  type EvidenceReport,
  type LineageRow,
  type Page,
  type PageQuery,
  type PolicyVersionRow,
  type RecallReport,
  type StatsQuery,
  type TimelineQuery,
} from './query.types';

/** What the queries need of a connection pool (a `pg.Pool`, or a client inside a transaction). */
export type Queryable = Pick<Pool, 'query'>;

/** Most records `recordsForEvent` returns (an event has one decision and a few more records). */
export const MAX_EVENT_RECORDS = 1000;
const CONSENT_HISTORY_LIMIT = 5000;

const ROW_COLUMNS = `record_time, kind, subject, event_id, policy_version, evidence_ids, form_version,
  forwarded_to, alias, code, record, topic, kafka_partition, kafka_offset::text as kafka_offset`;
const LOG_ORDER = `record_time, topic, kafka_partition, kafka_offset`;

interface StoredRow extends QueryResultRow {
  record_time: Date;
  kind: StoredKind;
  subject: string | null;
  event_id: string | null;
  policy_version: string | null;
  evidence_ids: string[];
  form_version: string | null;
  forwarded_to: string[];
  alias: string | null;
  code: string | null;
  record: LineageRecord | null;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

const iso = (d: Date): string => d.toISOString();

export function toLineageRow(r: StoredRow): LineageRow {
  return {
    time: iso(r.record_time),
    kind: r.kind,
    subject: r.subject,
    eventId: r.event_id,
    policyVersion: r.policy_version,
    evidenceIds: r.evidence_ids,
    formVersion: r.form_version,
    forwardedTo: r.forwarded_to,
    alias: r.alias,
    code: r.code,
    record: r.record,
    coordinates: { topic: r.topic, partition: r.kafka_partition, offset: r.kafka_offset },
  };
}

const keyOf = (r: LineageRow): RowKey => ({
  time: r.time,
  topic: r.coordinates.topic,
  partition: r.coordinates.partition,
  offset: r.coordinates.offset,
});

/**
 * The audit store's read side: the questions the auditor API asks, as parameterised SQL (no input
 * is ever part of the SQL text). Every input is validated first ({@link QueryInputError}); listings
 * are in log order (record time, then topic, partition, offset) with opaque keyset cursors and a
 * bounded page size.
 */
export class LineageQueries {
  constructor(private readonly db: Queryable) {}

  /** A person's records (all their pseudonyms), in log order, optionally by kind and time range. */
  async subjectTimeline(q: TimelineQuery): Promise<Page<LineageRow>> {
    const subjects = identifiers('subjects', q.subjects);
    const { from, to } = timeRange(q.from, q.to);
    const wanted = kinds(q.kinds);
    const limit = pageSize(q.limit);
    const after = decodeRowCursor('timeline', q.cursor);
    return this.rowPage(
      'timeline',
      `subject = any($1::text[])
        and ($2::timestamptz is null or record_time >= $2)
        and ($3::timestamptz is null or record_time < $3)
        and ($4::text[] is null or kind = any($4::text[]))`,
      [subjects, from, to, wanted],
      after,
      limit,
    );
  }

  /** Every record of one source event (its decision, assessments, suppressions, links), in log order. */
  async recordsForEvent(eventId: string): Promise<LineageRow[]> {
    const id = identifier('eventId', eventId);
    const { rows } = await this.db.query<StoredRow>(
      `select ${ROW_COLUMNS} from audit_lineage where event_id = $1 order by ${LOG_ORDER} limit ${MAX_EVENT_RECORDS}`,
      [id],
    );
    return rows.map(toLineageRow);
  }

  /** The assessment of an evidence id, and (paginated) the records citing it. */
  async evidence(evidenceId: string, page: PageQuery = {}): Promise<EvidenceReport> {
    const id = identifier('evidenceId', evidenceId);
    const limit = pageSize(page.limit);
    const after = decodeRowCursor('citing', page.cursor);
    const own = `kind = 'consent-assessment' and record->>'evidenceId' = $1`;
    const { rows } = await this.db.query<StoredRow>(
      `select ${ROW_COLUMNS} from audit_lineage where evidence_ids @> array[$1::text] and ${own}
        order by ${LOG_ORDER} limit 1`,
      [id],
    );
    const citing = await this.rowPage(
      'citing',
      `evidence_ids @> array[$1::text] and not (${own})`,
      [id],
      after,
      limit,
    );
    return { assessment: rows[0] ? toLineageRow(rows[0]) : null, citing };
  }

  /**
   * Everyone whose consent was captured on a form or banner version, and every destination that
   * received data (or a contact permission) relying on such consent, with counts.
   */
  async recallByFormVersion(formVersion: string, page: PageQuery = {}): Promise<RecallReport> {
    const version = identifier('formVersion', formVersion);
    const limit = pageSize(page.limit);
    const after = decodeTextCursor('recall', page.cursor, MAX_FIELD_CHARS);
    const evidence = `select subject, record->>'evidenceId' as id, record_time from audit_lineage
      where form_version = $1 and kind = 'consent-assessment'`;
    const totals = await this.db.query<{ evidence: string; subjects: string }>(
      `select count(*)::text as evidence, count(distinct subject)::text as subjects from (${evidence}) e`,
      [version],
    );
    const perDestination = await this.db.query<{
      destination: string;
      subjects: string;
      decisions: string;
      first: Date;
      last: Date;
    }>(
      `with ev as (select coalesce(array_agg(distinct id), '{}') as ids from (${evidence}) e)
       select split_part(fu, ':', 1) as destination, count(distinct a.subject)::text as subjects,
              count(distinct a.event_id)::text as decisions, min(a.record_time) as first, max(a.record_time) as last
         from audit_lineage a cross join ev cross join lateral unnest(a.forwarded_under) fu
        where a.kind = 'decision' and a.evidence_ids && ev.ids
          and substr(fu, strpos(fu, ':') + 1) = any(ev.ids)
        group by 1 order by 1`,
      [version],
    );
    const subjects = await this.db.query<{ subject: string; ids: string[]; first: Date }>(
      `select subject, array_agg(id order by record_time, id) as ids, min(record_time) as first
         from (${evidence}) e
        where subject is not null and ($2::text is null or subject > $2)
        group by subject order by subject limit $3`,
      [version, after, limit + 1],
    );
    const pageRows = subjects.rows.slice(0, limit);
    const reached = await this.db.query<{ subject: string; destination: string; decisions: string }>(
      `with ev as (select subject, record->>'evidenceId' as id from audit_lineage
                    where form_version = $1 and kind = 'consent-assessment' and subject = any($2::text[]))
       select ev.subject, split_part(fu, ':', 1) as destination, count(distinct a.event_id)::text as decisions
         from ev join audit_lineage a on a.evidence_ids @> array[ev.id]
              cross join lateral unnest(a.forwarded_under) fu
        where a.kind = 'decision' and substr(fu, strpos(fu, ':') + 1) = ev.id
        group by 1, 2 order by 1, 2`,
      [version, pageRows.map((r) => r.subject)],
    );
    const bySubject = new Map<string, { destination: string; decisions: number }[]>();
    for (const r of reached.rows) {
      const list = bySubject.get(r.subject) ?? [];
      list.push({ destination: r.destination, decisions: Number(r.decisions) });
      bySubject.set(r.subject, list);
    }
    const last = pageRows.at(-1);
    return {
      formVersion: version,
      evidence: Number(totals.rows[0]?.evidence ?? 0),
      subjects: Number(totals.rows[0]?.subjects ?? 0),
      perDestination: perDestination.rows.map((r) => ({
        destination: r.destination,
        subjects: Number(r.subjects),
        decisions: Number(r.decisions),
        first: iso(r.first),
        last: iso(r.last),
      })),
      page: {
        items: pageRows.map((r) => ({
          subject: r.subject,
          evidenceIds: r.ids,
          firstCaptured: iso(r.first),
          destinations: bySubject.get(r.subject) ?? [],
        })),
        nextCursor: subjects.rows.length > limit && last ? encodeTextCursor('recall', last.subject) : null,
      },
    };
  }

  /** Forwarded / withheld by reason per destination, suppressions and dead letters, per UTC day. */
  async dailyStatistics(q: StatsQuery): Promise<DailyStat[]> {
    const { from, to } = dayRange(q.from, q.to);
    const destination = q.destination === undefined ? null : identifier('destination', q.destination);
    const { rows } = await this.db.query<{
      day: string;
      metric: string;
      destination: string;
      reason: string;
      count: string;
    }>(
      `select day::text as day, metric, destination, reason, count::text as count from audit_daily_stat
        where day >= $1::date and day <= $2::date and ($3::text is null or destination = $3)
        order by day, metric, destination, reason`,
      [from, to, destination],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** Dead letters (and unreadable lineage records) by code per UTC day. */
  async deadLettersByCode(q: StatsQuery): Promise<DailyStat[]> {
    const { from, to } = dayRange(q.from, q.to);
    const { rows } = await this.db.query<{
      day: string;
      metric: string;
      destination: string;
      reason: string;
      count: string;
    }>(
      `select day::text as day, metric, destination, reason, count::text as count from audit_daily_stat
        where day >= $1::date and day <= $2::date and metric in ('dead-letter', 'unreadable')
        order by day, metric, reason`,
      [from, to],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** The dead-letter (and unreadable) records themselves, optionally of one code, in log order. */
  async deadLetters(q: DeadLetterQuery = {}): Promise<Page<LineageRow>> {
    const code = q.code === undefined ? null : identifier('code', q.code);
    const { from, to } = timeRange(q.from, q.to);
    const limit = pageSize(q.limit);
    const after = decodeRowCursor('dead-letters', q.cursor);
    return this.rowPage(
      'dead-letters',
      `code is not null and kind in ('dead-letter', 'unreadable') and ($1::text is null or code = $1)
        and ($2::timestamptz is null or record_time >= $2) and ($3::timestamptz is null or record_time < $3)`,
      [code, from, to],
      after,
      limit,
    );
  }

  /** The full text of a policy version, as the engine published it, or null when not stored. */
  async policyVersion(version: string): Promise<PolicyVersionRow | null> {
    const v = identifier('policyVersion', version);
    const { rows } = await this.db.query<{
      policy_version: string;
      policy_text: string;
      first_seen_at: Date;
    }>(
      `select policy_version, policy_text, first_seen_at from audit_policy_version where policy_version = $1`,
      [v],
    );
    const r = rows[0];
    return r
      ? { policyVersion: r.policy_version, policyText: r.policy_text, firstSeenAt: iso(r.first_seen_at) }
      : null;
  }

  /** Policy versions stored, newest first seen first. */
  async policyVersions(): Promise<{ policyVersion: string; firstSeenAt: string }[]> {
    const { rows } = await this.db.query<{ policy_version: string; first_seen_at: Date }>(
      `select policy_version, first_seen_at from audit_policy_version order by first_seen_at desc, policy_version limit 1000`,
    );
    return rows.map((r) => ({ policyVersion: r.policy_version, firstSeenAt: iso(r.first_seen_at) }));
  }

  /** What the lineage holds about one person, across their pseudonyms (Art. 15, R29). */
  async accessExport(subjects: readonly string[]): Promise<AccessExportData> {
    const ids = identifiers('subjects', subjects);
    const paths = await this.db.query<{
      source: string;
      path: string;
      first: Date;
      last: Date;
      events: string;
    }>(
      `select a.record->>'source' as source, p.path, min(a.record_time) as first, max(a.record_time) as last,
              count(*)::text as events
         from audit_lineage a cross join lateral json_array_elements_text(a.record->'paths') as p(path)
        where a.subject = any($1::text[]) and a.kind = 'decision'
        group by 1, 2 order by 1, 2`,
      [ids],
    );
    const recipients = await this.db.query<{
      destination: string;
      first: Date;
      last: Date;
      decisions: string;
    }>(
      `select d as destination, min(a.record_time) as first, max(a.record_time) as last, count(*)::text as decisions
         from audit_lineage a cross join lateral unnest(a.forwarded_to) as d
        where a.subject = any($1::text[]) and a.kind = 'decision'
        group by 1 order by 1`,
      [ids],
    );
    const history = await this.db.query<StoredRow>(
      `select ${ROW_COLUMNS} from audit_lineage
        where subject = any($1::text[]) and kind in ('consent-assessment', 'suppression', 'identity-link')
        order by ${LOG_ORDER} limit ${CONSENT_HISTORY_LIMIT + 1}`,
      [ids],
    );
    return {
      pathsBySource: paths.rows.map((r) => ({
        source: r.source,
        path: r.path,
        first: iso(r.first),
        last: iso(r.last),
        events: Number(r.events),
      })),
      recipients: recipients.rows.map((r) => ({
        destination: r.destination,
        first: iso(r.first),
        last: iso(r.last),
        decisions: Number(r.decisions),
      })),
      consentHistory: history.rows.slice(0, CONSENT_HISTORY_LIMIT).map(toLineageRow),
      consentHistoryTruncated: history.rows.length > CONSENT_HISTORY_LIMIT,
    };
  }

  /** One page of rows matching `where` (parameters $1…), after `after` in log order. */
  private async rowPage(
    tag: CursorTag,
    where: string,
    params: unknown[],
    after: RowKey | null,
    limit: number,
  ): Promise<Page<LineageRow>> {
    const n = params.length;
    const { rows } = await this.db.query<StoredRow>(
      `select ${ROW_COLUMNS} from audit_lineage
        where ${where}
          and ($${n + 1}::timestamptz is null
               or (record_time, topic, kafka_partition, kafka_offset)
                  > ($${n + 1}::timestamptz, $${n + 2}::text, $${n + 3}::integer, $${n + 4}::bigint))
        order by ${LOG_ORDER} limit $${n + 5}`,
      [
        ...params,
        after?.time ?? null,
        after?.topic ?? null,
        after?.partition ?? null,
        after?.offset ?? null,
        limit + 1,
      ],
    );
    const items = rows.slice(0, limit).map(toLineageRow);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeRowCursor(tag, keyOf(last)) : null };
  }
}
