/**
 * Our consent evidence contract: the envelope every consent signal (own banner, TCF, Consent Mode,
 * Cookiebot, OneTrust, double opt-in, unsubscribe, objection) is normalised to before the engine
 * sees it. It travels as the `data` of a CloudEvent of type `consent.evidence`.
 * R4 lists the fields that must be present for a grant to count.
 */
export const CONSENT_EVIDENCE_KINDS = [
  'cookie-banner',
  'marketing-consent',
  'double-opt-in-confirmation',
  'soft-opt-in-notice',
  'withdrawal',
  'objection',
] as const;

/** One of {@link CONSENT_EVIDENCE_KINDS}. */
export type ConsentEvidenceKind = (typeof CONSENT_EVIDENCE_KINDS)[number];

/** A marketing permission scope (mfl. § 10): which company, which channel, which product groups. */
export interface MarketingScope {
  readonly brands: readonly string[];
  readonly channels: readonly string[];
  readonly productGroups: readonly string[];
}

/** Raw CMP signal fields the adapters pass through so R5 can be checked centrally. */
export interface CmpSignal {
  /** Cookiebot `hasResponse`. */
  readonly hasResponse?: boolean;
  /** Cookiebot `method` ('explicit' | 'implied'). */
  readonly method?: string;
  /** OneTrust consent model ('opt-in' | 'opt-out' | 'implied consent'). */
  readonly consentModel?: string;
  /** OneTrust `interactionCount`. */
  readonly interactionCount?: number;
}

/** The sale context of a soft opt-in notice (R15). */
export interface SaleContext {
  /** True only for a completed sale; an abandoned checkout is false. */
  readonly completed: boolean;
  readonly orderId?: string;
  readonly productGroups: readonly string[];
}

/** What a withdrawal takes back: purposes, marketing scopes, or everything. */
export interface WithdrawalScope {
  readonly all?: boolean;
  readonly purposes?: readonly string[];
  readonly marketing?: Partial<MarketingScope>;
}

/** A piece of consent evidence, normalised. */
export interface ConsentEvidence {
  readonly evidenceId: string;
  readonly kind: ConsentEvidenceKind;
  /** The subject key and any further identifiers known at capture (e-mail hash, cookie id). */
  readonly subject: { readonly key: string; readonly identifiers?: Readonly<Record<string, string>> };
  /** UTC time the choice was made (ISO 8601). */
  readonly timestamp: string;
  /** CMP id/version or form id. */
  readonly cmp?: string;
  /** Banner or consent-form version, as registered in the policy file. */
  readonly formVersion?: string;
  /** Hash of the consent text shown. */
  readonly textVersion?: string;
  /** The action taken ('accept_all', 'save_choices', 'checkbox_ticked', 'close_x', ...). */
  readonly action?: string;
  /** The UI layer the action was taken on (1 = first layer). */
  readonly uiLayer?: number;
  readonly language?: string;
  /** Purposes chosen (cookie banner, marketing consent). */
  readonly purposes?: readonly string[];
  /** Marketing scopes granted (marketing consent). */
  readonly scopes?: readonly MarketingScope[];
  /** Source channel: 'web', 'app', 'email-link', 'customer-service', 'checkout', ... */
  readonly sourceChannel?: string;
  readonly url?: string;
  readonly cmpSignal?: CmpSignal;
  /** Double opt-in confirmation: the evidence id being confirmed. */
  readonly confirms?: string;
  /** Soft opt-in notice: whether the opt-out was offered and used at collection. */
  readonly optOutOffered?: boolean;
  readonly optOutUsed?: boolean;
  readonly sale?: SaleContext;
  /** Withdrawal: what is taken back. */
  readonly withdrawal?: WithdrawalScope;
}
