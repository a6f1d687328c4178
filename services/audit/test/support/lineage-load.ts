import { type DataSource } from 'typeorm';
import type { LineageRecord } from '@app/contracts';

/** TEMP until the sink is merged: writes rows as the sink's mapper does. */
export async function loadLineageDirect(
  db: DataSource,
  records: readonly LineageRecord[],
  policyVersion: string,
  policyText: string,
): Promise<void> {
  await db.query(
    'insert into audit_policy_version (policy_version, policy_text, first_seen_at) values ($1, $2, now()) on conflict do nothing',
    [policyVersion, policyText],
  );
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as LineageRecord;
    const ids =
      r.kind === 'decision'
        ? [...new Set(r.evidence ?? [])]
        : r.kind === 'consent-assessment'
          ? r.confirms === undefined
            ? [r.evidenceId]
            : [r.evidenceId, r.confirms]
          : r.kind === 'suppression'
            ? [r.evidenceId]
            : [];
    await db.query(
      `insert into audit_lineage (record_time, kind, subject, event_id, policy_version, evidence_ids, form_version, alias, code, record, topic, kafka_partition, kafka_offset)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'lineage', 0, $11)`,
      [
        r.time ?? new Date(0).toISOString(),
        r.kind,
        r.subject,
        r.eventId,
        r.policyVersion,
        ids,
        r.kind === 'consent-assessment' ? (r.formVersion ?? null) : null,
        r.kind === 'identity-link' ? r.alias : null,
        r.kind === 'dead-letter' ? r.code : null,
        JSON.stringify(r),
        i,
      ],
    );
  }
}
