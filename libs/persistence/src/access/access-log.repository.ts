import { type DataSource } from 'typeorm';
import { connected } from '../connected';

/** One request that touched a person: who, when, which pseudonyms, which endpoint. */
export interface AccessLogEntry {
  readonly id: string;
  readonly at: string;
  readonly principal: string;
  readonly role: string;
  readonly endpoint: string;
  readonly subjects: readonly string[];
}

interface LogRow {
  id: string;
  at: Date;
  principal: string;
  role: string;
  endpoint: string;
  subjects: string[];
}

/**
 * The append-only access log (`audit_access_log`; the database refuses UPDATE, DELETE and TRUNCATE).
 * Holds lineage pseudonyms, never the identifier an auditor typed.
 */
export class AccessLogRepository {
  constructor(private readonly db: DataSource) {}

  async append(entry: Omit<AccessLogEntry, 'id' | 'at'>): Promise<void> {
    await (
      await connected(this.db)
    ).query('insert into audit_access_log (principal, role, endpoint, subjects) values ($1, $2, $3, $4)', [
      entry.principal,
      entry.role,
      entry.endpoint,
      entry.subjects,
    ]);
  }

  /** Newest first, entries with an id below `before` (a cursor), optionally for one pseudonym. */
  async page(options: { before?: string; limit: number; subject?: string }): Promise<AccessLogEntry[]> {
    const rows: LogRow[] = await (
      await connected(this.db)
    ).query(
      `select audit_access_log.id::text as id, at, principal, role, endpoint, subjects from audit_access_log
       where ($1::bigint is null or id < $1::bigint) and ($2::text is null or subjects @> array[$2::text])
       order by audit_access_log.id desc limit $3`,
      [options.before ?? null, options.subject ?? null, options.limit],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
