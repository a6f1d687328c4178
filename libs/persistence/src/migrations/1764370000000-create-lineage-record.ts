import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateLineageRecord1764370000000 implements MigrationInterface {
  name = 'CreateLineageRecord1764370000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lineage_record (
        lineage_id text primary key,
        decision_id text not null,
        event_id text not null,
        subject_key text,
        destination text,
        attribute text,
        outcome text not null,
        reason_code text not null,
        purpose text,
        legal_basis text,
        consent_evidence_id text,
        rule text,
        policy_version text not null,
        event_time timestamptz not null,
        recorded_at timestamptz not null default now()
      )`);
    await queryRunner.query(`create index lineage_record_subject_idx on lineage_record (subject_key)`);
    await queryRunner.query(`create index lineage_record_decision_idx on lineage_record (decision_id)`);
    await queryRunner.query(`create index lineage_record_event_idx on lineage_record (event_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table lineage_record`);
  }
}
