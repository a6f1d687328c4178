/**
 * The decision core, by area: `policy-file/` (policy as code: load, check, compile),
 * `consent/` (evidence assessment, the per-subject consent state, what it permits), `decision/`
 * (per destination and attribute), `processor/` (the {@link GovernanceProcessor} that the Kafka
 * engine and `govern dry-run` share: decode -> subject -> decide -> emit), `lineage/` (the v2
 * decision digest, rendering it back against a policy version, reading what was recorded) and
 * `vocabulary/` (legal bases and reason codes, used by all of them). Pure and deterministic: no
 * clock, environment, I/O or framework inside; time is the CloudEvent `time`. This file is the
 * public API: import `@app/policy` only.
 */
export { loadPolicy, type LoadPolicyOptions } from './policy-file/policy-file.loader';
export { PolicyLoadError, formatPolicyError, type PolicyError } from './policy-file/policy-error';
export type * from './policy-file/compiled-policy.types';
export { eventTypeKey } from './policy-file/compiled-policy.types';
export type * from './policy-file/policy-file.types';
export { POLICY_FILE_SCHEMA } from './policy-file/policy-file.schema';
export { LEGAL_BASES, LEGAL_BASIS_ARTICLE, type LegalBasis } from './vocabulary/legal-basis';
export { REASON_CODES, type ReasonCode } from './vocabulary/reason-codes';
export { checkEvidence, checkEvidenceShape, type EvidenceCheck } from './consent/evidence-check';
export { canonicalSubjectKey } from './consent/subject-key';
export {
  assessEvidence,
  NON_AFFIRMATIVE_ACTIONS,
  type EvidenceAssessment,
  type EvidenceEffect,
} from './consent/consent-evidence.assessor';
export { foldEvidence, type FoldOutcome } from './consent/consent-state.fold';
export { emptySubjectState, isSubjectState } from './consent/consent-state.types';
export type * from './consent/consent-state.types';
export { isQuarantinedState, QUARANTINED } from './consent/state-quarantine';
export type { ExportedState, ImportOutcome, QuarantinedState } from './consent/state-quarantine';
export { purposeStatus, type PurposeStatus } from './consent/purpose-status';
export type { AttributeDecision, DestinationDecision } from './decision/destination-decision';
export { claimantSuppressionId, decisionId } from './decision/decision-id';
export {
  DEMO_PSEUDONYM_KEYRING,
  derivePseudonymKey,
  destinationPseudonym,
  destinationScope,
  KEY_ID_PATTERN,
  keyringProblems,
  LINEAGE_SCOPE,
  lineagePseudonym,
  Pseudonymiser,
  type PseudonymKeyring,
} from './decision/pseudonym-keys';
export { GovernanceProcessor } from './processor/governance.processor';
// The processor's first stage on its own: what the gateway checks before producing, so it refuses
// exactly what the engine would dead-letter.
export { decodeStructured, type Decoded } from './processor/decode.stage';
export type { InputContext, ProcessResult, ProcessorOptions, StateChange } from './processor/processor.types';
export { type LineTopic, replayLines, type ReplayedEvent } from './processor/replay';
export { addFigure, figuresFromDryRun, compareFigures, type Figures } from './lineage/outcome-figures';
export { explainEvent, explainRecordedDecision, type EventExplanation } from './lineage/explain-event';
export { renderDecision, renderLineage, LineageRenderError } from './lineage/decision.renderer';
export { lineageBytes, type LineageBytes } from './lineage/lineage-bytes';
export {
  processingRecord,
  processingRecordMarkdown,
  type ProcessingActivity,
  type ProcessingRecordReport,
} from './record/processing-record';
export { assessmentFacts, type AssessmentFacts } from './consent/assessment-facts';
export { assessEvidenceEvent, type EvidenceEventAssessment } from './processor/evidence-event.assessment';
export { textHash } from './policy-file/policy.compiler';
export {
  type AggregateContribution,
  contributionOfKey,
  contributionsOf,
  countKeyOf,
  MAX_CAMPAIGN_LENGTH,
} from './aggregate/contribution';
export {
  AggregateCounter,
  COUNTED_KEY,
  type CountedFrom,
  type PublishedCount,
} from './aggregate/aggregate-counter';
export { countReplayed } from './aggregate/count-replay';
