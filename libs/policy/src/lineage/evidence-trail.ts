import type { ConsentAssessmentLineageRecord, LineageRecord } from '@app/contracts';

/**
 * For `govern explain`: what each piece of evidence a decision names was, read from the lineage
 * written before the decision (R27: the consent relied on can be followed in the log alone). One
 * line per evidence id, in the order the decision names them; never a value.
 */
export function evidenceTrail(
  evidenceIds: readonly string[],
  earlierLineage: readonly LineageRecord[],
  assessmentIds: ReadonlySet<string>,
): string[] {
  const lines: string[] = [];
  for (const id of new Set(evidenceIds)) {
    if (assessmentIds.has(id)) {
      lines.push(`  Evidence ${id}: a compatibility assessment (Art. 6(4)) registered in the policy (R22).`);
      continue;
    }
    const own = lastAssessment(earlierLineage, (l) => l.evidenceId === id);
    if (own === undefined) {
      lines.push(`  Evidence ${id}: not in the replayed input (captured before it began).`);
      continue;
    }
    const confirmation = lastAssessment(earlierLineage, (l) => l.valid && l.confirms === id);
    const form = own.formVersion === undefined ? '' : ` on ${own.formVersion}`;
    const granted = (confirmation ?? own).grants ?? [];
    lines.push(
      `  Evidence ${id}: ${own.evidenceKind}${form} at ${own.time ?? '?'}, ${own.valid ? 'valid' : 'NOT valid'}: ${own.reason} [${own.rule}]` +
        (confirmation === undefined
          ? ''
          : `; confirmed by ${confirmation.evidenceId} at ${confirmation.time ?? '?'}`) +
        // The assessor's reason already lists what a cookie choice grants; say it only when new.
        (granted.length === 0 || own.reason.includes(granted.join(', '))
          ? '.'
          : `; granted ${granted.join(', ')}.`),
    );
  }
  return lines;
}

function lastAssessment(
  lineage: readonly LineageRecord[],
  match: (l: ConsentAssessmentLineageRecord) => boolean,
): ConsentAssessmentLineageRecord | undefined {
  for (let i = lineage.length - 1; i >= 0; i--) {
    const l = lineage[i] as LineageRecord;
    if (l.kind === 'consent-assessment' && match(l)) return l;
  }
  return undefined;
}
