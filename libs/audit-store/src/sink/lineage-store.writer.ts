import { type DecisionLineageRecord } from '@app/contracts';
import { type CompiledPolicy } from '@app/policy';
import { type Pool, type PoolClient } from 'pg';
import { type LineageRowInput, type RecordCoordinates } from '../store/lineage-row';
import { MAX_FIELD_CHARS, unreadableRow } from '../store/lineage-row.mapper';
import { DailyStats } from './daily-stats';
import { type DecisionFacts, decisionFacts, type StatKey } from './decision-facts';
import { type PolicyCache } from './policy-cache';

/** A policy version read from its topic. */
export interface PolicyVersionInput {
  readonly version: string;
  readonly text: string;
  readonly firstSeenAt: Date;
}

/** What one sink batch writes: rows of one topic-partition, or versions, and where to resume. */
export interface StoreBatch {
  readonly topic: string;
  readonly partition: number;
  readonly rows: readonly LineageRowInput[];
  readonly versions: readonly PolicyVersionInput[];
  /** Stored with the rows: reading resumes here after a restart. */
  readonly nextOffset: bigint;
}

export interface WriteReport {
  readonly inserted: number;
  /** Rows inserted (first time), by kind. */
  readonly insertedKinds: ReadonlyMap<string, number>;
  readonly replayed: number;
  readonly versionsStored: number;
  /** Decisions whose figures wait for their policy version. */
  readonly pending: number;
  /** Decisions that did not render against their stored version. */
  readonly unrenderable: number;
  /** Rows PostgreSQL refused, kept as `unreadable` instead. */
  readonly unstorable: readonly RecordCoordinates[];
}

/** A decision row's derived facts: rendered, waiting for its version, or not renderable. */
type Derived = DecisionFacts | 'pending' | 'unrenderable' | null;

// Errors of the data, not of the database: a value PostgreSQL will not hold.
const isDataError = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
};

/** A PostgreSQL array literal of texts (what `::text[]` reads back exactly). */
function textArray(items: readonly string[]): string {
  return `{${items.map((x) => `"${x.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

const factsOf = (d: Derived): DecisionFacts | null => (d !== null && typeof d === 'object' ? d : null);

/**
 * Writes a batch in ONE PostgreSQL transaction: the policy versions, the lineage rows (one
 * multi-row insert; a row whose coordinates are stored already is skipped), the daily figures of
 * the rows actually inserted, and the offset to resume from. So a crash anywhere leaves either all
 * of it or none, and a replay adds nothing: exactly once without Kafka transactions.
 *
 * Decisions are rendered against their policy version (compiled once per version) for the figures
 * and for the evidence their forwarded attributes relied on. A decision whose version is not stored
 * yet is stored with `stats_pending`; storing the version renders those rows and adds their figures.
 */
export class LineageStoreWriter {
  constructor(
    private readonly pool: Pool,
    private readonly policies: PolicyCache,
  ) {}

  async write(batch: StoreBatch): Promise<WriteReport> {
    try {
      return await this.transaction(batch, batch.rows, []);
    } catch (error) {
      if (!isDataError(error) || batch.rows.length === 0) throw error;
      // Some row's text PostgreSQL will not hold: find it, keep it as unreadable, write again.
      const { rows, unstorable } = await this.screen(batch.rows);
      return await this.transaction(batch, rows, unstorable);
    }
  }

  private async transaction(
    batch: StoreBatch,
    rows: readonly LineageRowInput[],
    unstorable: readonly RecordCoordinates[],
  ): Promise<WriteReport> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      // Safe to lose on a database crash: rows and offset are lost together, and read again.
      await client.query('set local synchronous_commit = off');
      const versions = await this.storeVersions(client, batch.versions);
      const derived = await this.derive(client, rows);
      const inserted = await this.insertRows(client, batch, rows, derived);
      const stats = new DailyStats();
      let pending = 0;
      let unrenderable = 0;
      const insertedKinds = new Map<string, number>();
      rows.forEach((r, i) => {
        if (!inserted.has(r.offset)) return;
        insertedKinds.set(r.kind, (insertedKinds.get(r.kind) ?? 0) + 1);
        const d = derived[i] ?? null;
        if (d === 'pending') pending++;
        else if (d === 'unrenderable') unrenderable++;
        for (const key of rowStats(r, d)) stats.add(r.time, key);
      });
      for (const v of versions) unrenderable += await this.renderPending(client, v, stats);
      await upsertStats(client, stats);
      await client.query(
        `insert into audit_sink_offset (topic, partition, next_offset) values ($1, $2, $3)
         on conflict (topic, partition) do update set next_offset = greatest(audit_sink_offset.next_offset, excluded.next_offset)`,
        [batch.topic, batch.partition, batch.nextOffset.toString()],
      );
      await client.query('commit');
      return {
        inserted: inserted.size,
        insertedKinds,
        replayed: rows.length - inserted.size,
        versionsStored: versions.length,
        pending,
        unrenderable,
        unstorable,
      };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Renders the decisions still waiting for a version that is stored now. Batches of two
   * partitions commit concurrently, so a version can commit while decisions of it are being
   * stored as pending; whichever commits last calls this and finds the other. Rows are locked
   * while rendered, so two calls never count a row twice. Returns how many rows it rendered.
   */
  async resolvePending(): Promise<number> {
    const { rows: versions } = await this.pool.query<{ policy_version: string }>(
      `select distinct l.policy_version from audit_lineage l
         join audit_policy_version v on v.policy_version = l.policy_version
        where l.stats_pending`,
    );
    let resolved = 0;
    for (const { policy_version: version } of versions) {
      const client = await this.pool.connect();
      try {
        await client.query('begin');
        const stats = new DailyStats();
        await this.renderPending(client, version, stats);
        await upsertStats(client, stats);
        await client.query('commit');
        resolved += stats.count;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
    return resolved;
  }

  /** Stores new versions; returns those not stored before. */
  private async storeVersions(
    client: PoolClient,
    versions: readonly PolicyVersionInput[],
  ): Promise<string[]> {
    if (versions.length === 0) return [];
    const { rows } = await client.query<{ policy_version: string }>(
      `insert into audit_policy_version (policy_version, policy_text, first_seen_at)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[])
       on conflict (policy_version) do nothing returning policy_version`,
      [
        versions.map((v) => v.version),
        versions.map((v) => v.text),
        versions.map((v) => v.firstSeenAt.toISOString()),
      ],
    );
    for (const v of versions) this.policies.remember(v.version, v.text);
    return rows.map((r) => r.policy_version);
  }

  private async derive(client: PoolClient, rows: readonly LineageRowInput[]): Promise<Derived[]> {
    const out: Derived[] = [];
    // Each version looked up once per batch (a version not stored yet is not cached across batches).
    const versions = new Map<string, CompiledPolicy | null | undefined>();
    for (const r of rows) {
      if (r.kind !== 'decision' || r.record === null || r.policyVersion === null) {
        out.push(null);
        continue;
      }
      let policy = versions.get(r.policyVersion);
      if (!versions.has(r.policyVersion)) {
        policy = await this.policies.get(client, r.policyVersion);
        versions.set(r.policyVersion, policy);
      }
      if (policy === undefined) out.push('pending');
      else if (policy === null) out.push('unrenderable');
      else {
        try {
          out.push(decisionFacts(policy, r.record as DecisionLineageRecord));
        } catch {
          out.push('unrenderable');
        }
      }
    }
    return out;
  }

  /** One multi-row insert; returns the offsets actually inserted (not stored before). */
  private async insertRows(
    client: PoolClient,
    batch: StoreBatch,
    rows: readonly LineageRowInput[],
    derived: readonly Derived[],
  ): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    // One statement: typed arrays, one element per row (unnest), so PostgreSQL checks each
    // record's JSON once, straight into the json column. The records themselves travel as one text joined by
    // U+001E, split by string_to_array: no array-literal escaping of every quote on either side.
    // JSON text never holds a raw U+001E (control characters are escaped in valid JSON).
    const column = <T>(f: (r: LineageRowInput, d: Derived) => T): T[] =>
      rows.map((r, i) => f(r, derived[i] ?? null));
    const { rows: inserted } = await client.query<{ o: string }>(
      `insert into audit_lineage (record_time, kind, subject, event_id, policy_version, evidence_ids, form_version,
         forwarded_to, forwarded_under, alias, code, record, stats_pending, topic, kafka_partition, kafka_offset)
       select r.t, r.k, r.s, r.e, r.v, r.ev::text[], r.fv, r.ft::text[], r.fu::text[], r.a, r.c, nullif(r.rec, '')::json,
              r.sp, $15, $16, r.o
         from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::text[], $10::text[], $11::text[], string_to_array($12::text, E'\x1e'), $13::boolean[],
                     $14::bigint[]) as r(t, k, s, e, v, ev, fv, ft, fu, a, c, rec, sp, o)
       on conflict do nothing
       returning kafka_offset::text as o`,
      [
        column((r) => r.time.toISOString()),
        column((r) => r.kind),
        column((r) => r.subject),
        column((r) => r.eventId),
        column((r) => r.policyVersion),
        column((r) => textArray(r.evidenceIds)),
        column((r) => r.formVersion),
        column((r) => textArray(r.forwardedTo)),
        column((_, d) => textArray(factsOf(d)?.forwardedUnder ?? [])),
        column((r) => r.alias),
        column((r) => r.code),
        rows.map((r) => r.json ?? '').join('\u001e'),
        column((_, d) => d === 'pending'),
        column((r) => r.offset),
        batch.topic,
        batch.partition,
      ],
    );
    return new Set(inserted.map((r) => r.o));
  }

  /** Renders the decisions stored before their version arrived; adds their figures. */
  private async renderPending(client: PoolClient, version: string, stats: DailyStats): Promise<number> {
    const policy = await this.policies.get(client, version);
    let unrenderable = 0;
    for (;;) {
      const { rows } = await client.query<{
        record_time: Date;
        topic: string;
        kafka_partition: number;
        kafka_offset: string;
        record: DecisionLineageRecord;
      }>(
        `select record_time, topic, kafka_partition, kafka_offset::text as kafka_offset, record from audit_lineage
          where stats_pending and policy_version = $1 limit 2000 for update skip locked`,
        [version],
      );
      if (rows.length === 0) return unrenderable;
      const updates = rows.map((r) => {
        let facts: DecisionFacts | null = null;
        try {
          facts = policy ? decisionFacts(policy, r.record) : null;
        } catch {
          facts = null;
        }
        if (facts === null) unrenderable++;
        for (const key of rowStats({ kind: 'decision', code: null, record: null }, facts ?? 'unrenderable'))
          stats.add(r.record_time, key);
        return {
          t: r.record_time.toISOString(),
          topic: r.topic,
          p: r.kafka_partition,
          o: r.kafka_offset,
          fu: facts?.forwardedUnder ?? [],
        };
      });
      await client.query(
        `update audit_lineage a set stats_pending = false, forwarded_under = u.fu
           from jsonb_to_recordset($1::jsonb) as u(t timestamptz, topic text, p integer, o bigint, fu text[])
          where a.record_time = u.t and a.topic = u.topic and a.kafka_partition = u.p and a.kafka_offset = u.o`,
        [JSON.stringify(updates)],
      );
    }
  }

  /** Tries each row alone (savepoints, all rolled back) and turns those refused into unreadable rows. */
  private async screen(
    rows: readonly LineageRowInput[],
  ): Promise<{ rows: LineageRowInput[]; unstorable: RecordCoordinates[] }> {
    const client = await this.pool.connect();
    const out: LineageRowInput[] = [];
    const unstorable: RecordCoordinates[] = [];
    try {
      await client.query('begin');
      for (const r of rows) {
        await client.query('savepoint screen');
        try {
          await client.query(`select $1::json, $2::text[], $3::text, $4::text, $5::text, $6::text[]`, [
            r.json,
            r.evidenceIds,
            r.subject,
            r.eventId,
            r.policyVersion,
            r.forwardedTo,
          ]);
          out.push(r);
        } catch (error) {
          if (!isDataError(error)) throw error;
          out.push({ ...unreadableRow(r, String(r.time.getTime()), 'unstorable-text'), time: r.time });
          unstorable.push({ topic: r.topic, partition: r.partition, offset: r.offset });
        }
        await client.query('rollback to savepoint screen');
      }
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
    return { rows: out, unstorable };
  }
}

/** The figures a stored row adds to its day. */
function rowStats(r: Pick<LineageRowInput, 'kind' | 'code' | 'record'>, d: Derived): readonly StatKey[] {
  switch (r.kind) {
    case 'suppression':
      return r.record?.kind === 'suppression' ? [['suppression', r.record.destination, '']] : [];
    case 'decision':
      if (d === 'unrenderable') return [['unrenderable', '', '']];
      return d !== null && typeof d === 'object' ? d.stats : [];
    case 'aggregate-count':
      // One per figure published on the aggregate's output (R23's anonymous counts), as dry-run counts them.
      return r.record?.kind === 'aggregate-count' ? [['aggregate-figure', r.record.aggregate, '']] : [];
    case 'dead-letter':
    case 'unreadable':
      return [[r.kind, '', (r.code ?? '').slice(0, MAX_FIELD_CHARS)]];
    default:
      return [];
  }
}

/** Adds the figures, in the fixed order of {@link DailyStats.rows}. */
async function upsertStats(client: PoolClient, stats: DailyStats): Promise<void> {
  if (stats.count === 0) return;
  const rows = stats.rows();
  await client.query(
    `insert into audit_daily_stat (day, metric, destination, reason, count)
     select r.day, r.metric, r.destination, r.reason, r.count
       from jsonb_to_recordset($1::jsonb) as r(day date, metric text, destination text, reason text, count bigint)
     on conflict (day, metric, destination, reason) do update set count = audit_daily_stat.count + excluded.count`,
    [JSON.stringify(rows)],
  );
}
