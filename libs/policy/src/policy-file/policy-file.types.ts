import type { LegalBasis } from '../vocabulary/legal-basis';

/** The policy file as written (YAML), after JSON Schema validation. */
export interface PolicyFile {
  version: string;
  controller?: string;
  /** Controller's contact details and, where one is designated, the DPO's (Art. 30(1)(a)). */
  controllerContact?: string;
  dataProtectionOfficer?: string;
  options?: PolicyOptionsFile;
  purposes: Record<string, PurposeFile>;
  marketing?: MarketingFile;
  consentForms: Record<string, ConsentFormFile>;
  compatibilityAssessments?: CompatibilityAssessmentFile[];
  sources: Record<string, SourceFile>;
  destinations: Record<string, DestinationFile>;
  /** Anonymous counts R23 permits, each its own output (default topic `governed.<name>`). */
  aggregates?: Record<string, AggregateFile>;
}

/**
 * Per campaign, event type and event-time day, the number of e-mail opens and clicks (every event
 * of a type declared `engagement: true`, with or without the tracking consent), with no identifier.
 */
export interface AggregateFile {
  topic?: string;
  /** The top-level attribute of every engagement event type that names the campaign. */
  by: string;
  /** k: a figure is published only at k, 2k, 3k… events, so none stands for fewer than k. */
  minimumCount: number;
}

/** [INTERPRETIVE] knobs; the defaults are the strict reading. */
export interface PolicyOptionsFile {
  cookieConsentMaxAgeDays?: number | null;
  marketingConsentMaxAgeDays?: number | null;
  maxEventBytes?: number;
  duplicateWindow?: number;
  engagementTrackingPurpose?: string;
  /** How long before its CloudEvent time a piece of evidence may have been captured. */
  maxEvidenceSkewSeconds?: number;
  /** CloudEvent `source` values consent evidence is accepted from. */
  consentEvidenceSources?: string[];
  /** The topic consent evidence is read from (default `consent.evidence`). */
  consentEvidenceTopic?: string;
  /**
   * Days a subject's state is kept after its last event (longer while a grant can still permit;
   * an objection for ever). Must exceed how late data can arrive. Null or absent: for ever.
   */
  stateHorizonDays?: number | null;
  /** Days a double opt-in sign-up waits for its confirmation. Null or absent: no limit. */
  doubleOptInConfirmationDays?: number | null;
  /** Purposes a Global Privacy Control signal (`Sec-GPC: 1`) objects to: those that sell or share data. */
  gpcObjectsTo?: string[];
  /**
   * Days the audit store keeps lineage records (by record time, R27). Null: for ever. Absent: the
   * audit service's own setting.
   */
  lineageRetentionDays?: number | null;
}

/** A source system: the topic it writes (default `source.<name>`) and its event types. */
export interface SourceFile {
  description?: string;
  topic?: string;
  types: Record<string, EventTypeFile>;
}

export interface PurposeFile {
  legalBasis: LegalBasis;
  description?: string;
  /** Direct marketing incl. profiling for it: an objection (Art. 21(2)) stops it (R19). */
  directMarketing?: boolean;
  /** Strictly necessary: exempt from cookie consent, never satisfies another purpose (R6). */
  necessary?: boolean;
  /** Consents every use of the purpose needs besides its own (e.g. the device's cookie consent). */
  requires?: ConsentRequirementFile[];
  /** The purpose's entry in the record of processing activities (Art. 30(1)). */
  record?: ProcessingRecordFile;
}

/** Art. 30(1)(b)-(g) for one purpose; `govern validate` requires it for every purpose in use. */
export interface ProcessingRecordFile {
  /** Categories of personal data (the `category` names attributes declare). */
  dataCategories: string[];
  /** Categories of data subjects (customers, newsletter subscribers, website visitors). */
  subjectCategories: string[];
  /** Categories of recipients, incl. processors; an empty list says there are none. */
  recipients: string[];
  /** Transfers to a third country or international organisation; empty when there are none. */
  thirdCountryTransfers: ThirdCountryTransferFile[];
  /** Envisaged time limit for erasure. */
  erasure: string;
  /** General description of the technical and organisational security measures (Art. 32(1)). */
  securityMeasures: string[];
}

export interface ThirdCountryTransferFile {
  country: string;
  recipient: string;
  /** Art. 46/49 safeguard, e.g. "EU-US Data Privacy Framework (adequacy)" or "SCC 2021/914". */
  safeguard: string;
}

export interface MarketingFile {
  brands: string[];
  ownBrands?: string[];
  channels: string[];
  productGroups: string[];
  similarProductGroups?: string[][];
}

export interface MarketingScopeFile {
  brands: string[];
  channels: string[];
  productGroups: string[];
}

export interface ConsentFormFile {
  kind: 'cookie-banner' | 'marketing-consent' | 'soft-opt-in' | 'preference-centre';
  context?: 'signup' | 'competition' | 'checkout' | 'survey' | 'account';
  firstLayer?: string[];
  secondLayer?: string[];
  choices?: Record<string, string[]>;
  purposes?: string[];
  scopes?: MarketingScopeFile[];
  withdrawalInfoShown?: boolean;
  doubleOptIn?: boolean;
  competition?: {
    separateConsentStep: boolean;
    consentAsProminentAsPrize: boolean;
    productGroupsNamed: boolean;
    companiesVisible: boolean;
  };
  affirmativeActions: string[];
  /**
   * The text the person is shown (banner layers, form wording, as one text). The consent ledger
   * stores it once per form version with its hash, so a consent proves what was shown.
   */
  text?: string;
  /** How to withdraw this consent, in the person's words (consent receipts quote it). */
  howToWithdraw?: string;
  /**
   * A cookie banner run by a consent platform: per platform, per banner choice, the platform's
   * categories that must all be granted for the choice to count (R5, R6).
   */
  cmpCategories?: Partial<Record<CmpName, Record<string, string[]>>>;
}

/** Consent platforms whose signals the adapters map onto a banner's choices. */
export type CmpName = 'cookiebot' | 'onetrust' | 'consentMode' | 'tcf';

export interface CompatibilityAssessmentFile {
  id: string;
  source: string;
  type: string;
  attribute: string;
  purpose: string;
}

export interface AttributeFile {
  category: string;
  purposes: string[];
}

export interface SourceFile {
  description?: string;
  /** The identifiers this source knows of a person (R25): linked to the person key it sends. */
  identifiers?: SourceIdentifiersFile;
  types: Record<string, EventTypeFile>;
}

/**
 * `personKey`: what the events' subject holds (e.g. `customerId`). `linked`: top-level attributes
 * that name the same person by another identifier (e.g. `email`); each event carrying one links it.
 */
export interface SourceIdentifiersFile {
  personKey: string;
  linked: string[];
}

export interface EventTypeFile {
  schema: Record<string, unknown>;
  attributes: Record<string, AttributeFile>;
  identityLink?: { aliasPath: string; requiresPurpose: string };
  /** Personal e-mail engagement (opens, clicks): only the tracking purpose may carry it (R23). */
  engagement?: boolean;
  /** Which identifier is the device (ePrivacy, G1): `subject` (the event is keyed by it) or the link's alias path. */
  device?: string;
  /** Per purpose, the consents its use of this type's attributes needs besides the purpose's own. */
  requires?: Record<string, ConsentRequirementFile[]>;
}

/** One consent a use needs, and whose it is: the device's (cookie banner) or the person's. */
export interface ConsentRequirementFile {
  purpose: string;
  holder: 'device' | 'person';
}

export interface DestinationFile {
  topic?: string;
  channel: 'email' | 'sms' | 'none';
  purposes: string[];
  identifiers: 'as-is' | 'pseudonym';
  marketing?: { brand: string; productGroups: string[]; unsubscribeInEveryMessage: boolean };
  fields: Record<string, 'as-is' | 'pseudonymise'>;
}
