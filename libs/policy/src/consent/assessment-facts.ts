import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { EvidenceAssessment } from './consent-evidence.assessor';

/**
 * What the assessment of one piece of evidence says, whatever the person's state: the part of the
 * engine's `consent-assessment` lineage record that the evidence and the policy alone determine.
 * The consent ledger stores exactly this, so its row and the lineage record agree by construction.
 * (The lineage adds what the fold into the person's state did: `grants` and a note on the reason.)
 */
export interface AssessmentFacts {
  readonly evidenceId: string;
  readonly evidenceKind: ConsentEvidence['kind'];
  readonly valid: boolean;
  readonly reason: string;
  readonly rule: string;
  readonly purposes: readonly string[];
  /** Only a form version the policy registers: an unregistered one is input, not policy. */
  readonly formVersion?: string;
  readonly confirms?: string;
}

/** The state-independent facts of an assessment, in the lineage record's field order. */
export function assessmentFacts(
  policy: CompiledPolicy,
  evidence: ConsentEvidence,
  assessment: EvidenceAssessment,
): AssessmentFacts {
  return {
    evidenceId: evidence.evidenceId,
    evidenceKind: evidence.kind,
    valid: assessment.valid,
    reason: assessment.reason,
    rule: assessment.rule,
    purposes: assessment.claimedPurposes,
    ...(evidence.formVersion !== undefined && policy.forms.has(evidence.formVersion)
      ? { formVersion: evidence.formVersion }
      : {}),
    ...(typeof evidence.confirms === 'string' ? { confirms: evidence.confirms } : {}),
  };
}
