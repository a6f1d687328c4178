import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent ledger: append-only entries with a hash chain, global anchors, consumed offsets,
 * the consent texts and the subjects' wrapped data keys. Append-only is the database's rule, not
 * only the code's: triggers refuse UPDATE, DELETE and TRUNCATE on entries, anchors and texts for
 * every role that does not disable them (only a table owner or superuser can).
 */
export class ConsentLedger1765000000000 implements MigrationInterface {
  name = 'ConsentLedger1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table consent_text (
        form_version text not null,
        text_hash text not null,
        text text not null,
        primary key (form_version, text_hash)
      )`);
    await q.query(`
      create table consent_ledger_entry (
        seq bigint primary key,
        subject text,
        subject_prev_seq bigint,
        subject_prev_hash text,
        source_topic text not null,
        source_partition integer not null,
        source_offset bigint not null,
        event_id text,
        event_time text,
        outcome text not null check (outcome in ('assessed', 'refused')),
        evidence_id text,
        evidence_kind text,
        evidence_time text,
        valid boolean,
        rule text,
        reason text not null,
        purposes text,
        form_version text,
        confirms text,
        text_version text,
        text_hash text,
        unreadable text,
        refusal_code text,
        evidence text,
        sealed text,
        content_digest text,
        policy_version text not null,
        hash text not null,
        constraint consent_ledger_entry_text foreign key (form_version, text_hash)
          references consent_text (form_version, text_hash)
      )`);
    await q.query(
      `create unique index consent_ledger_entry_source on consent_ledger_entry (source_topic, source_partition, source_offset)`,
    );
    await q.query(`create index consent_ledger_entry_subject on consent_ledger_entry (subject, seq)`);
    await q.query(`
      create table consent_ledger_anchor (
        anchor_index bigint primary key,
        first_seq bigint not null,
        last_seq bigint not null,
        previous_hash text,
        rows_digest text not null,
        hash text not null
      )`);
    await q.query(`
      create table consent_ledger_offset (
        consumer_group text not null,
        topic text not null,
        partition integer not null,
        next_offset bigint not null,
        primary key (consumer_group, topic, partition)
      )`);
    await q.query(`
      create table consent_subject_key (
        subject text primary key,
        wrap_key_id text not null,
        wrapped_key text not null
      )`);
    await q.query(`
      create function consent_ledger_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'the consent ledger is append-only: % on % is refused', tg_op, tg_table_name
          using errcode = 'insufficient_privilege';
      end
      $$`);
    for (const table of ['consent_ledger_entry', 'consent_ledger_anchor', 'consent_text']) {
      await q.query(
        `create trigger ${table}_append_only before update or delete on ${table} for each row execute function consent_ledger_refuse_change()`,
      );
      await q.query(
        `create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function consent_ledger_refuse_change()`,
      );
    }
    // A data key never changes; destroying it (delete) is how a subject's content is erased.
    await q.query(
      `create trigger consent_subject_key_immutable before update on consent_subject_key for each row execute function consent_ledger_refuse_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Dropping tables needs no trigger change: DROP is not UPDATE, DELETE or TRUNCATE.
    for (const table of [
      'consent_subject_key',
      'consent_ledger_offset',
      'consent_ledger_anchor',
      'consent_ledger_entry',
      'consent_text',
    ])
      await q.query(`drop table ${table}`);
    await q.query(`drop function consent_ledger_refuse_change()`);
  }
}
