/** What happened to one attribute for one destination. */
export type AttributeOutcome = 'forward' | 'withhold' | 'pseudonymise';

/** Per-attribute decision as recorded in lineage (R27): never the value, only the path. */
export interface AttributeDecisionRecord {
  readonly path: string;
  readonly outcome: AttributeOutcome;
  readonly reason: string;
  readonly rule: string;
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  readonly evidenceId: string | null;
}

interface LineageBase {
  readonly policyVersion: string;
  readonly eventId: string | null;
  /** Keyed pseudonym of the subject (R27: the log itself holds no direct identifier). */
  readonly subject: string | null;
  readonly time: string | null;
}

/** A decision about one source event for one destination. */
export interface DecisionLineageRecord extends LineageBase {
  readonly kind: 'decision';
  readonly decisionId: string;
  readonly destination: string;
  readonly source: string;
  readonly type: string;
  readonly outcome: 'forwarded' | 'withheld' | 'pseudonymised';
  readonly attributes: readonly AttributeDecisionRecord[];
  /**
   * Present when the event carried undeclared content (R28): how many undeclared paths or nested
   * members were dropped in all, and how many of them `attributes` names (at most 32 per event).
   */
  readonly undeclared?: { readonly total: number; readonly listed: number };
  readonly contact?: {
    readonly mayContact: boolean;
    readonly trackOpens: boolean;
    readonly rule: string;
    readonly evidenceId: string | null;
  };
}

/** The assessment of one piece of consent evidence (valid or not, and why). */
export interface ConsentAssessmentLineageRecord extends LineageBase {
  readonly kind: 'consent-assessment';
  readonly evidenceId: string;
  readonly evidenceKind: string;
  readonly valid: boolean;
  readonly reason: string;
  readonly rule: string;
  /** Purposes the evidence claimed (on an invalid assessment these are recorded as refused). */
  readonly purposes: readonly string[];
  /** The form or banner version the evidence was captured on, or null if it names none (R4, R27). */
  readonly formVersion: string | null;
  /**
   * Purposes this evidence granted or renewed when it was folded into the state. A decision that
   * relies on a consent names its evidence id, and this says which purposes it covered (R27).
   */
  readonly grants: readonly string[];
  /** For a double opt-in confirmation: the sign-up it confirms, whose id the grants then carry. */
  readonly confirms: string | null;
}

/** A suppression record produced for a destination after a withdrawal or objection. */
export interface SuppressionLineageRecord extends LineageBase {
  readonly kind: 'suppression';
  readonly decisionId: string;
  readonly destination: string;
  readonly purposes: readonly string[];
  readonly rule: string;
  readonly evidenceId: string;
}

/** An identity link accepted or refused (R25). */
export interface IdentityLinkLineageRecord extends LineageBase {
  readonly kind: 'identity-link';
  /** Keyed pseudonym of the identifier linked to the subject (e.g. a cookie id), as `subject`. */
  readonly alias: string;
  readonly linked: boolean;
  readonly rule: string;
  readonly reason: string;
}

/** Input that could not be processed; id and reason only, never the content. */
export interface DeadLetterLineageRecord extends LineageBase {
  readonly kind: 'dead-letter';
  readonly code: string;
  readonly reason: string;
}

/** Every lineage record the decision core emits. */
export type LineageRecord =
  | DecisionLineageRecord
  | ConsentAssessmentLineageRecord
  | SuppressionLineageRecord
  | IdentityLinkLineageRecord
  | DeadLetterLineageRecord;
