import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One decision about one attribute (or one whole event when it was dead-lettered) for one
 * destination: the evidence an auditor reads. Append-only; `lineageId` is deterministic, so a
 * replayed batch inserts nothing twice.
 */
@Entity({ name: 'lineage_record' })
@Index('lineage_record_subject_idx', ['subjectKey'])
@Index('lineage_record_decision_idx', ['decisionId'])
@Index('lineage_record_event_idx', ['eventId'])
export class LineageRecordEntity {
  @PrimaryColumn({ name: 'lineage_id', type: 'text' })
  lineageId!: string;

  @Column({ name: 'decision_id', type: 'text' })
  decisionId!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  /** Pseudonymous subject key, never a raw identifier. */
  @Column({ name: 'subject_key', type: 'text', nullable: true })
  subjectKey!: string | null;

  @Column({ type: 'text', nullable: true })
  destination!: string | null;

  @Column({ type: 'text', nullable: true })
  attribute!: string | null;

  /** forwarded | withheld | pseudonymised | suppressed | dead-lettered */
  @Column({ type: 'text' })
  outcome!: string;

  @Column({ name: 'reason_code', type: 'text' })
  reasonCode!: string;

  @Column({ type: 'text', nullable: true })
  purpose!: string | null;

  @Column({ name: 'legal_basis', type: 'text', nullable: true })
  legalBasis!: string | null;

  @Column({ name: 'consent_evidence_id', type: 'text', nullable: true })
  consentEvidenceId!: string | null;

  @Column({ type: 'text', nullable: true })
  rule!: string | null;

  @Column({ name: 'policy_version', type: 'text' })
  policyVersion!: string;

  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;
}
