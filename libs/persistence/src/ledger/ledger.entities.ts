import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The consent ledger's tables (migration 1765000000000). Rows of `consent_ledger_entry`,
 * `consent_ledger_anchor` and `consent_text` are never updated or deleted: triggers refuse it.
 * Column comments are in the migration.
 */
@Entity({ name: 'consent_ledger_entry' })
@Index('consent_ledger_entry_source', ['sourceTopic', 'sourcePartition', 'sourceOffset'], { unique: true })
@Index('consent_ledger_entry_subject', ['subject', 'seq'])
export class LedgerEntryEntity {
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ name: 'subject_prev_seq', type: 'bigint', nullable: true }) subjectPrevSeq!: string | null;
  @Column({ name: 'subject_prev_hash', type: 'text', nullable: true }) subjectPrevHash!: string | null;
  @Column({ name: 'source_topic', type: 'text' }) sourceTopic!: string;
  @Column({ name: 'source_partition', type: 'integer' }) sourcePartition!: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset!: string;
  @Column({ name: 'event_id', type: 'text', nullable: true }) eventId!: string | null;
  @Column({ name: 'event_time', type: 'text', nullable: true }) eventTime!: string | null;
  @Column({ type: 'text' }) outcome!: 'assessed' | 'refused';
  @Column({ name: 'evidence_id', type: 'text', nullable: true }) evidenceId!: string | null;
  @Column({ name: 'evidence_kind', type: 'text', nullable: true }) evidenceKind!: string | null;
  @Column({ name: 'evidence_time', type: 'text', nullable: true }) evidenceTime!: string | null;
  @Column({ type: 'boolean', nullable: true }) valid!: boolean | null;
  @Column({ type: 'text', nullable: true }) rule!: string | null;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', nullable: true }) purposes!: string | null;
  @Column({ name: 'form_version', type: 'text', nullable: true }) formVersion!: string | null;
  @Column({ type: 'text', nullable: true }) confirms!: string | null;
  @Column({ name: 'text_version', type: 'text', nullable: true }) textVersion!: string | null;
  @Column({ name: 'text_hash', type: 'text', nullable: true }) textHash!: string | null;
  @Column({ type: 'text', nullable: true }) unreadable!: string | null;
  @Column({ name: 'refusal_code', type: 'text', nullable: true }) refusalCode!: string | null;
  @Column({ type: 'text', nullable: true }) evidence!: string | null;
  @Column({ type: 'text', nullable: true }) sealed!: string | null;
  @Column({ name: 'content_digest', type: 'text', nullable: true }) contentDigest!: string | null;
  @Column({ name: 'policy_version', type: 'text' }) policyVersion!: string;
  @Column({ type: 'text' }) hash!: string;
}

@Entity({ name: 'consent_ledger_anchor' })
export class LedgerAnchorEntity {
  @PrimaryColumn({ name: 'anchor_index', type: 'bigint' }) anchorIndex!: string;
  @Column({ name: 'first_seq', type: 'bigint' }) firstSeq!: string;
  @Column({ name: 'last_seq', type: 'bigint' }) lastSeq!: string;
  @Column({ name: 'previous_hash', type: 'text', nullable: true }) previousHash!: string | null;
  @Column({ name: 'rows_digest', type: 'text' }) rowsDigest!: string;
  @Column({ type: 'text' }) hash!: string;
}

/** The next offset to consume, per consumer group and topic-partition; written with the rows. */
@Entity({ name: 'consent_ledger_offset' })
export class LedgerOffsetEntity {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' }) consumerGroup!: string;
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'integer' }) partition!: number;
  @Column({ name: 'next_offset', type: 'bigint' }) nextOffset!: string;
}

/** The text shown, once per form version and text hash. */
@Entity({ name: 'consent_text' })
export class ConsentTextEntity {
  @PrimaryColumn({ name: 'form_version', type: 'text' }) formVersion!: string;
  @PrimaryColumn({ name: 'text_hash', type: 'text' }) textHash!: string;
  @Column({ type: 'text' }) text!: string;
}

/** A subject's data key, wrapped; deleting the row is crypto-shredding its sealed content. */
@Entity({ name: 'consent_subject_key' })
export class SubjectKeyEntity {
  @PrimaryColumn({ type: 'text' }) subject!: string;
  @Column({ name: 'wrap_key_id', type: 'text' }) wrapKeyId!: string;
  @Column({ name: 'wrapped_key', type: 'text' }) wrappedKey!: string;
}

export const LEDGER_ENTITIES = [
  LedgerEntryEntity,
  LedgerAnchorEntity,
  LedgerOffsetEntity,
  ConsentTextEntity,
  SubjectKeyEntity,
];
