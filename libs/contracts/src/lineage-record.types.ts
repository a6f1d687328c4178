/**
 * Lineage v2: a decision log in the manner of a policy engine's (input reference + result + policy
 * revision). A record stores what depends on the person and the moment (which paths the event had,
 * what the person's consent state said about each purpose consulted, the contact gate) and refers
 * to the policy version for everything the policy alone determines (purpose, legal basis and rule
 * per attribute, plans, decision ids). The full per-attribute decision is rendered from a record
 * and the text of its policy version by the decision core (`renderDecision` in `@app/policy`).
 */
export const LINEAGE_VERSION = 2;

/** What happened to one attribute for one destination. */
export type AttributeOutcome = 'forward' | 'withhold' | 'pseudonymise';

/** Per-attribute decision as rendered (R27): never the value, only the path. Not stored. */
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
  readonly lineageVersion: typeof LINEAGE_VERSION;
  readonly policyVersion: string;
  readonly eventId: string | null;
  /** Keyed pseudonym of the subject (R27: the log itself holds no direct identifier). */
  readonly subject: string | null;
  readonly time: string | null;
}

/**
 * What the consent states (the person's, and the device's where the event type requires its
 * consent) said about one use of a purpose at the event time, where it differs from what a person
 * with no consent state at all gets (that default is recomputed): `[reason, evidence, rule,
 * decidedBy]`. `evidence` indexes the record's `evidence` list (null: none); `rule` is present (not
 * null) only where the reason and the deciding purpose do not determine it (e.g. `consent-invalid`);
 * `decidedBy` names the required consent that decided when it is not the purpose's own. Any reason
 * code fits.
 */
export type PurposeBasisDigest = readonly [
  reason: string,
  evidence: number | null,
  rule?: string | null,
  decidedBy?: string,
];

/**
 * The contact gate of a destination with a channel (G3, R14–R16, R19, R23): `[basis, rule, evidence,
 * trackOpens]`. `basis` is null when the person may not be contacted; `evidence` indexes `evidence`.
 */
export type ContactDigest = readonly [
  basis: 'consent' | 'soft-opt-in' | null,
  rule: string,
  evidence: number | null,
  trackOpens: 0 | 1,
];

/**
 * The result for one destination. Numbers index the record's path list (`paths`, then
 * `undeclared.listed`). `w` groups the paths withheld for a reason that depends on the person or
 * the moment by reason code; a key `reason@rule` names the rule where the reason alone does not
 * determine it. Any reason code fits, so new codes need no contract change. A path in none of `f`,
 * `p` and `w` was withheld for a reason the policy and the paths alone determine (not requested,
 * not collected for the destination's purposes, undeclared), which the renderer recomputes.
 */
export interface DestinationDigest {
  /** Forwarded as-is. */
  readonly f?: readonly number[];
  /** Forwarded as keyed pseudonyms. */
  readonly p?: readonly number[];
  /** Withheld, by reason. */
  readonly w?: Readonly<Record<string, readonly number[]>>;
  /** For destinations with a channel, where the gate differs from a person's with no state. */
  readonly c?: ContactDigest;
}

/**
 * One record per source event (not per destination). Purpose, legal basis and rule per attribute
 * are not stored: they follow from the policy version, the reason and the evidence kind.
 */
export interface DecisionLineageRecord extends LineageBase {
  readonly kind: 'decision';
  readonly eventId: string;
  readonly subject: string;
  readonly time: string;
  readonly source: string;
  readonly type: string;
  /** The declared attribute paths the event carried, in payload order, once for all destinations. */
  readonly paths: readonly string[];
  /**
   * Present when the event carried undeclared content (R28): paths named (at most 32, withheld from
   * every destination) and how many undeclared paths or members were dropped in all.
   */
  readonly undeclared?: { readonly listed: readonly string[]; readonly total: number };
  /** Consent evidence and compatibility assessment ids relied on or cited, once per event. */
  readonly evidence?: readonly string[];
  /** Per purpose key consulted whose status was not the no-state default. */
  readonly bases?: Readonly<Record<string, PurposeBasisDigest>>;
  /**
   * Per destination name, where the result differs from what the policy and the paths alone give
   * (nothing forwarded, only policy-determined withholdings, the no-state contact gate).
   */
  readonly destinations: Readonly<Record<string, DestinationDigest>>;
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
  /** The form or banner version the evidence was captured on, when registered (R4, R27). */
  readonly formVersion?: string;
  /**
   * Purposes this evidence granted or renewed when it was folded into the state, when any. A
   * decision that relies on a consent names its evidence id, and this says what it covered (R27).
   */
  readonly grants?: readonly string[];
  /** For a double opt-in confirmation: the sign-up it confirms, whose id the grants then carry. */
  readonly confirms?: string;
}

/**
 * A suppression sent to a destination after a withdrawal or objection. Its decision id follows
 * from the policy version, the event and the destination (`decisionId` in `@app/policy`).
 */
export interface SuppressionLineageRecord extends LineageBase {
  readonly kind: 'suppression';
  readonly destination: string;
  readonly purposes: readonly string[];
  readonly rule: string;
  readonly evidenceId: string;
}

/**
 * An identity link accepted or refused (R25). The purpose it needed follows from the policy version
 * and the event type.
 */
export interface IdentityLinkLineageRecord extends LineageBase {
  readonly kind: 'identity-link';
  /** Keyed pseudonym of the identifier linked to the subject (e.g. a cookie id), as `subject`. */
  readonly alias: string;
  readonly linked: boolean;
  /** For a refused link: the reason code and rule that refused the identifier's consent. */
  readonly refusedBy?: { readonly reason: string; readonly rule: string };
}

/** Input that could not be processed; id and reason only, never the content. */
export interface DeadLetterLineageRecord extends LineageBase {
  readonly kind: 'dead-letter';
  readonly code: string;
  readonly reason: string;
}

/**
 * A figure published on an aggregate output (R23's anonymous per-campaign counts): what was counted
 * and under which rule. `eventId`, `subject` and `time` are null: the figure stands for `count`
 * events.
 */
export interface AggregateCountLineageRecord extends LineageBase {
  readonly kind: 'aggregate-count';
  readonly aggregate: string;
  /** The event type counted (every decided event of it, with or without the tracking consent). */
  readonly source: string;
  readonly type: string;
  /** The declared attribute path counted by, and its value (a campaign id, never an identifier). */
  readonly by: string;
  readonly campaign: string;
  /** The event-time day (UTC) counted. */
  readonly day: string;
  /** Events counted so far: a multiple of `minimumCount`. */
  readonly count: number;
  readonly minimumCount: number;
  readonly rule: 'R23';
}

/** Every lineage record the decision core emits. */
export type LineageRecord =
  | DecisionLineageRecord
  | ConsentAssessmentLineageRecord
  | SuppressionLineageRecord
  | IdentityLinkLineageRecord
  | DeadLetterLineageRecord
  | AggregateCountLineageRecord;

/**
 * The full decision about one source event for one destination, as rendered from a v2 decision
 * record and its policy version (what v1 stored): per attribute the outcome, reason, rule, purpose,
 * legal basis and evidence. For `govern explain`, the auditor and the equivalence proof.
 */
export interface RenderedDecision {
  readonly policyVersion: string;
  readonly decisionId: string;
  readonly eventId: string;
  readonly subject: string;
  readonly time: string;
  readonly destination: string;
  readonly source: string;
  readonly type: string;
  readonly outcome: 'forwarded' | 'withheld' | 'pseudonymised';
  readonly attributes: readonly AttributeDecisionRecord[];
  readonly undeclared?: { readonly total: number; readonly listed: number };
  readonly contact?: {
    readonly mayContact: boolean;
    readonly trackOpens: boolean;
    readonly basis: 'consent' | 'soft-opt-in' | null;
    readonly rule: string;
    readonly evidenceId: string | null;
  };
}
