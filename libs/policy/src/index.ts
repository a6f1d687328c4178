/**
 * The decision core: policy-as-code loading and validation, consent evidence assessment, the
 * per-attribute decision function, and the {@link GovernanceProcessor} that the Kafka engine and
 * `govern dry-run` share. Pure and deterministic: no clock, environment, I/O or framework inside;
 * time is the CloudEvent `time`.
 */
export { loadPolicy, type LoadPolicyOptions } from './policy-file.loader';
export { PolicyLoadError, formatPolicyError, type PolicyError } from './policy-error';
export type * from './compiled-policy.types';
export { eventTypeKey } from './compiled-policy.types';
export type * from './policy-file.types';
export { POLICY_FILE_SCHEMA } from './policy-file.schema';
export { LEGAL_BASES, LEGAL_BASIS_ARTICLE, type LegalBasis } from './legal-basis';
export { REASON_CODES, type ReasonCode } from './reason-codes';
export {
  assessEvidence,
  checkEvidenceShape,
  NON_AFFIRMATIVE_ACTIONS,
  type EvidenceAssessment,
  type EvidenceEffect,
} from './consent-evidence.assessor';
export { foldEvidence, type FoldOutcome } from './consent-state.fold';
export { emptySubjectState, isSubjectState } from './consent-state.types';
export type * from './consent-state.types';
export { purposeStatus, type PurposeStatus } from './purpose-status';
export { contactPermission } from './contact-permission';
export { walkPayload, type WalkedPayload } from './payload.walker';
export {
  decideForDestination,
  type AttributeDecision,
  type DestinationDecision,
} from './destination-decision';
export { decisionId, Pseudonymiser } from './decision-id';
export { explainDecision } from './decision.explainer';
export {
  GovernanceProcessor,
  type InputContext,
  type ProcessResult,
  type ProcessorOptions,
  type StateChange,
} from './governance.processor';
export { replayLines, type ReplayedEvent } from './replay';
export { addFigure, figuresFromDryRun, compareFigures, type Figures } from './outcome-figures';
export { evidenceTrail } from './evidence-trail';
