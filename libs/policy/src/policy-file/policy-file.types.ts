import type { LegalBasis } from '../vocabulary/legal-basis';

/** The policy file as written (YAML), after JSON Schema validation. */
export interface PolicyFile {
  version: string;
  controller?: string;
  options?: PolicyOptionsFile;
  purposes: Record<string, PurposeFile>;
  marketing?: MarketingFile;
  consentForms: Record<string, ConsentFormFile>;
  compatibilityAssessments?: CompatibilityAssessmentFile[];
  sources: Record<string, SourceFile>;
  destinations: Record<string, DestinationFile>;
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
}

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

export interface EventTypeFile {
  schema: Record<string, unknown>;
  attributes: Record<string, AttributeFile>;
  identityLink?: { aliasPath: string; requiresPurpose: string };
}

export interface DestinationFile {
  topic?: string;
  channel: 'email' | 'sms' | 'none';
  purposes: string[];
  identifiers: 'as-is' | 'pseudonym';
  marketing?: { brand: string; productGroups: string[]; unsubscribeInEveryMessage: boolean };
  fields: Record<string, 'as-is' | 'pseudonymise'>;
}
