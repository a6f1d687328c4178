import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The audit service's access tables: API keys (stored as SHA-256 of their secret part, never in
 * clear) and the access log of every request that touches a person. The log is append-only in the
 * database itself: triggers refuse UPDATE, DELETE and TRUNCATE, so even the service's own
 * credentials cannot rewrite who looked at whom.
 */
export class AuditAccess1796515200000 implements MigrationInterface {
  readonly name = 'AuditAccess1796515200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table audit_api_key (
        key_id text primary key,
        secret_sha256 bytea not null,
        role text not null check (role in ('auditor', 'dpo', 'admin')),
        label text not null default '',
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      create table audit_access_log (
        id bigint generated always as identity primary key,
        at timestamptz not null default now(),
        principal text not null,
        role text not null,
        endpoint text not null,
        subjects text[] not null
      )`);
    await q.query('create index audit_access_log_subjects on audit_access_log using gin (subjects)');
    await q.query(`
      create function audit_access_log_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_access_log is append-only' using errcode = 'insufficient_privilege';
      end
      $$`);
    await q.query(`
      create trigger audit_access_log_no_update_delete before update or delete on audit_access_log
      for each row execute function audit_access_log_refuse_change()`);
    await q.query(`
      create trigger audit_access_log_no_truncate before truncate on audit_access_log
      for each statement execute function audit_access_log_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping the table is the one way to remove the log: a deliberate schema change, not a query.
    await q.query('drop table audit_access_log');
    await q.query('drop function audit_access_log_refuse_change()');
    await q.query('drop table audit_api_key');
  }
}
