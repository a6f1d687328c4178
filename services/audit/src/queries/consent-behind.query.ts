import { Inject, Injectable } from '@nestjs/common';
import type { ConsentAssessmentLineageRecord, LineageRecord } from '@app/contracts';
import { notFound } from '../api/api-error';
import { AUDIT_LINEAGE } from '../audit.constants';
import { type LineageReader, type StoredLineage } from '../lineage/lineage.reader';
import { comparePositions } from '../lineage/store-lineage.reader';

/** Records after the evidence that are read to find what followed it. */
const FOLLOWING_SCANNED = 1000;

/** The consent behind a decision: the evidence's assessment, its confirmation, what followed. */
export interface ConsentBehind {
  readonly evidenceId: string;
  readonly subject: string | null;
  /** Valid or not and why, form or banner version, kind, time, purposes claimed and granted. */
  readonly assessment: ConsentAssessmentLineageRecord;
  /** For a double opt-in sign-up: the confirmation that made it count. */
  readonly confirmedBy: ConsentAssessmentLineageRecord | null;
  /**
   * What followed for the same person, in log order: withdrawals and objections assessed after it,
   * and suppressions sent (those citing this evidence, and any later for the person).
   */
  readonly followedBy: readonly LineageRecord[];
  /** True when more records followed than were read (the timeline pages through all of them). */
  readonly truncated: boolean;
}

const isAssessment = (r: LineageRecord): r is ConsentAssessmentLineageRecord =>
  r.kind === 'consent-assessment';

@Injectable()
export class ConsentBehindQuery {
  constructor(@Inject(AUDIT_LINEAGE) private readonly lineage: LineageReader) {}

  async of(evidenceId: string): Promise<ConsentBehind> {
    const rows = await this.lineage.assessments([evidenceId]);
    const own = rows.filter((r) => isAssessment(r.record) && r.record.evidenceId === evidenceId);
    const first = own[0];
    if (first === undefined || !isAssessment(first.record)) throw notFound('consent evidence');
    const assessment = first.record;
    const confirmation = rows.find(
      (r) => isAssessment(r.record) && r.record.valid && r.record.confirms === evidenceId,
    );
    const subject = assessment.subject;
    const later: StoredLineage[] =
      subject === null
        ? []
        : await this.lineage.subjectRecords([subject], {
            after: first.position,
            limit: FOLLOWING_SCANNED + 1,
          });
    const citing = await this.lineage.suppressionsCiting([evidenceId]);
    const seen = new Set<string>();
    const followedBy = [...citing, ...later.slice(0, FOLLOWING_SCANNED)]
      .filter((r) => {
        const x = r.record;
        const follows =
          x.kind === 'suppression' ||
          (x.kind === 'consent-assessment' &&
            (x.evidenceKind === 'withdrawal' || x.evidenceKind === 'objection'));
        if (!follows || seen.has(r.position)) return false;
        seen.add(r.position);
        return true;
      })
      .sort((a, b) => comparePositions(a.position, b.position))
      .map((r) => r.record);
    return {
      evidenceId,
      subject,
      assessment,
      confirmedBy:
        confirmation !== undefined && isAssessment(confirmation.record) ? confirmation.record : null,
      followedBy,
      truncated: later.length > FOLLOWING_SCANNED,
    };
  }
}
