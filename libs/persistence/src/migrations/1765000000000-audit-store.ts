import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The audit service's lineage store. Raw SQL with unqualified names: the search path picks the
 * schema. `audit_lineage` is partitioned by the record's time; the service creates the monthly
 * partitions (and drops them after the retention), so this creates the parent, its DEFAULT
 * partition (times outside any monthly partition) and the partitioned indexes every partition gets.
 */
export class AuditStore1765000000000 implements MigrationInterface {
  name = 'AuditStore1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table audit_policy_version (
        policy_version text primary key,
        policy_text text not null,
        first_seen_at timestamptz not null
      )`);
    // Coordinates are unique, so a replayed record is a no-op. The partition key must be part of
    // any unique constraint; a record's time is a function of its coordinates, so this is as strict.
    await q.query(`
      create table audit_lineage (
        record_time timestamptz not null,
        kind text not null,
        subject text,
        event_id text,
        policy_version text,
        evidence_ids text[] not null default '{}',
        form_version text,
        forwarded_to text[] not null default '{}',
        forwarded_under text[] not null default '{}',
        alias text,
        code text,
        record jsonb,
        stats_pending boolean not null default false,
        topic text not null,
        kafka_partition integer not null,
        kafka_offset bigint not null,
        constraint audit_lineage_coordinates unique (topic, kafka_partition, kafka_offset, record_time)
      ) partition by range (record_time)`);
    await q.query(`create table audit_lineage_default partition of audit_lineage default`);
    const indexes = [
      `audit_lineage_subject_time on audit_lineage (subject, record_time) where subject is not null`,
      `audit_lineage_event on audit_lineage (event_id) where event_id is not null`,
      `audit_lineage_evidence on audit_lineage using gin (evidence_ids)`,
      `audit_lineage_forwarded_to on audit_lineage using gin (forwarded_to)`,
      `audit_lineage_policy_version on audit_lineage (policy_version)`,
      `audit_lineage_form_version on audit_lineage (form_version) where form_version is not null`,
      `audit_lineage_alias on audit_lineage (alias) where alias is not null`,
      `audit_lineage_code_time on audit_lineage (code, record_time) where code is not null`,
      `audit_lineage_stats_pending on audit_lineage (policy_version) where stats_pending`,
    ];
    for (const index of indexes) await q.query(`create index ${index}`);
    await q.query(`
      create table audit_sink_offset (
        topic text not null,
        partition integer not null,
        next_offset bigint not null,
        primary key (topic, partition)
      )`);
    // Dashboard figures, maintained by the sink in the transaction that stores the records.
    await q.query(`
      create table audit_daily_stat (
        day date not null,
        metric text not null,
        destination text not null,
        reason text not null,
        count bigint not null,
        primary key (day, metric, destination, reason)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists audit_daily_stat`);
    await q.query(`drop table if exists audit_sink_offset`);
    await q.query(`drop table if exists audit_lineage`);
    await q.query(`drop table if exists audit_policy_version`);
  }
}
