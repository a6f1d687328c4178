import { type Pool } from 'pg';

const DAY_MS = 86_400_000;

/** First instant of the UTC month containing `t`. */
export function monthStart(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}

function nextMonth(m: Date): Date {
  return new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
}

/** `audit_lineage_y2025m01` for January 2025. */
export function partitionName(month: Date): string {
  return `audit_lineage_y${String(month.getUTCFullYear()).padStart(4, '0')}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface PartitionPolicy {
  /** Months created ahead of the current one. */
  readonly monthsAhead: number;
}

/** Days records are kept (by record time); null: for ever. */
export type RetentionDays = number | null;

/**
 * The monthly partitions of `audit_lineage`. The current month and `monthsAhead` after it are
 * created ahead; an older month within the retention is created when a batch brings records of it
 * (a catch-up, a replay); a record older than the retention or beyond the months ahead lands in the
 * DEFAULT partition. Partitions entirely older than the cutoff
 * are dropped, and older rows are deleted from the partition that straddles it and from DEFAULT.
 * Creating a month moves its rows out of DEFAULT in the same transaction (PostgreSQL refuses to
 * attach a partition whose rows DEFAULT still holds).
 */
export class LineagePartitions {
  private readonly known = new Set<string>();
  private readonly creating = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: Pool,
    private readonly policy: PartitionPolicy,
  ) {}

  /** The retention cutoff at `now`: records older than this are dropped; null when kept for ever. */
  cutoff(now: Date, retentionDays: RetentionDays): Date | null {
    return retentionDays === null ? null : new Date(now.getTime() - retentionDays * DAY_MS);
  }

  /** Names of the monthly partitions that exist, oldest first. */
  async list(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select c.relname as name from pg_inherits i
         join pg_class c on c.oid = i.inhrelid
         join pg_class p on p.oid = i.inhparent
        where p.relname = 'audit_lineage' and p.relnamespace = current_schema()::regnamespace
          and c.relname ~ '^audit_lineage_y[0-9]{4}m[0-9]{2}$'
        order by 1`,
    );
    return rows.map((r) => r.name);
  }

  /** Creates what is due ahead and drops what is past the retention; returns what changed. */
  async maintain(
    now: Date,
    retentionDays: RetentionDays,
  ): Promise<{ created: string[]; dropped: string[]; deleted: number }> {
    const created: string[] = [];
    const cutoff = this.cutoff(now, retentionDays);
    // From the current month (older months are made on demand, when records of them arrive).
    let month =
      cutoff !== null && monthStart(now) < monthStart(cutoff) ? monthStart(cutoff) : monthStart(now);
    const last = monthStart(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + this.policy.monthsAhead, 1)),
    );
    for (; month <= last; month = nextMonth(month))
      if (await this.ensure(month)) created.push(partitionName(month));
    if (cutoff === null) return { created, dropped: [], deleted: 0 };
    const dropped: string[] = [];
    for (const name of await this.list()) {
      const m = /^audit_lineage_y(\d{4})m(\d{2})$/.exec(name);
      if (!m) continue;
      const end = nextMonth(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
      if (end <= cutoff) {
        await this.pool.query(`drop table if exists ${name}`);
        this.known.delete(name);
        dropped.push(name);
      }
    }
    const straddling = partitionName(monthStart(cutoff));
    let deleted = 0;
    for (const table of [
      'audit_lineage_default',
      ...((await this.list()).includes(straddling) ? [straddling] : []),
    ]) {
      const r = await this.pool.query(`delete from ${table} where record_time < $1`, [cutoff]);
      deleted += r.rowCount ?? 0;
    }
    return { created, dropped, deleted };
  }

  /**
   * Makes sure the months of these record times have partitions, where they are within the
   * retention and not beyond the months created ahead (those stay in DEFAULT).
   */
  async ensureFor(times: readonly Date[], now: Date, retentionDays: RetentionDays): Promise<void> {
    const kept = this.cutoff(now, retentionDays);
    const cutoff = kept === null ? new Date(0) : monthStart(kept);
    const horizon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + this.policy.monthsAhead, 1));
    // Months as numbers first: a batch holds tens of thousands of times in a few months.
    const seen = new Set<number>();
    for (const t of times) seen.add(t.getUTCFullYear() * 12 + t.getUTCMonth());
    const months = new Map<string, Date>();
    for (const n of seen) {
      const m = new Date(Date.UTC(Math.floor(n / 12), n % 12, 1));
      if (m >= cutoff && m <= horizon) months.set(partitionName(m), m);
    }
    for (const [name, m] of months) if (!this.known.has(name)) await this.ensure(m);
  }

  /** Creates the month's partition unless it exists; true when created. One at a time per month. */
  private ensure(month: Date): Promise<boolean> {
    const name = partitionName(month);
    if (this.known.has(name)) return Promise.resolve(false);
    const running = this.creating.get(name);
    if (running) return running.then(() => false);
    const created = this.create(month, name).finally(() => this.creating.delete(name));
    this.creating.set(name, created);
    return created;
  }

  private async create(month: Date, name: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const exists = await client.query(`select to_regclass($1) is not null as found`, [name]);
      if (exists.rows[0]?.found === true) {
        await client.query('commit');
        this.known.add(name);
        return false;
      }
      const from = month.toISOString();
      const to = nextMonth(month).toISOString();
      // Rows of this month that went to DEFAULT move into the new partition before it is attached.
      await client.query(`lock table audit_lineage_default in share row exclusive mode`);
      await client.query(
        `create table ${name} (like audit_lineage including defaults including constraints)`,
      );
      await client.query(
        `with moved as (delete from audit_lineage_default where record_time >= $1 and record_time < $2 returning *)
         insert into ${name} select * from moved`,
        [from, to],
      );
      await client.query(
        `alter table audit_lineage attach partition ${name} for values from ('${from}') to ('${to}')`,
      );
      await client.query('commit');
      this.known.add(name);
      return true;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
