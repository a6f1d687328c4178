import type { ValidateFunction } from 'ajv';
import type { LegalBasis } from '../vocabulary/legal-basis';
import type { CmpName, ConsentFormFile, MarketingScopeFile, ProcessingRecordFile } from './policy-file.types';
import type { ValueShape } from './value-shape';

/** A purpose from the registry, with its fixed legal basis (R20). */
export interface Purpose {
  readonly key: string;
  readonly legalBasis: LegalBasis;
  readonly directMarketing: boolean;
  readonly necessary: boolean;
  readonly description: string;
  /** Its entry in the record of processing (Art. 30); present for every purpose in use. */
  readonly record: Readonly<ProcessingRecordFile> | null;
}

/** A declared attribute of an event type: where it is, what it is, what it was collected for. */
export interface DeclaredAttribute {
  readonly path: string;
  readonly segments: readonly string[];
  readonly category: string;
  readonly purposes: readonly Purpose[];
  /** The sub-fields of an object or array value its schema declares; nothing else of it leaves (R28). */
  readonly shape: ValueShape;
  /**
   * Set for an element attribute (`lines[].sku`): `segments` lead to the array, these to the member
   * inside each element. Its value is decided once for all elements (lineage names the element
   * path, not an index) and projected element by element.
   */
  readonly element: { readonly memberSegments: readonly string[] } | null;
}

/** Path tree used to walk a payload once and spot undeclared attributes. */
export interface AttributeNode {
  attribute?: DeclaredAttribute;
  /** With `attribute`: its index in the event type's `attributes`, and so of its plan in each destination's. */
  index?: number;
  children?: Map<string, AttributeNode>;
  /** An array declared by element paths: the tree of each element's members. */
  elements?: Map<string, AttributeNode>;
  /** With `elements`: every element attribute under it, in declaration order. */
  elementAttributes?: { readonly attribute: DeclaredAttribute; readonly index: number }[];
}

/** How one declared attribute is treated for one destination, worked out at load time. */
export interface AttributePlan {
  readonly attribute: DeclaredAttribute;
  /** null: the destination did not ask for this field (minimisation). */
  readonly mode: 'as-is' | 'pseudonymise' | null;
  /** Purposes of the destination the attribute was collected for, in destination order. */
  readonly candidates: readonly Purpose[];
  /** Purposes reachable only through a registered compatibility assessment (Art. 6(4), R22). */
  readonly assessed: readonly { readonly purpose: Purpose; readonly assessmentId: string }[];
}

/** A declared source event type, with its payload validator compiled once. */
export interface EventTypeSpec {
  readonly source: string;
  readonly type: string;
  /** Its key in {@link CompiledPolicy.eventTypes} and in every destination's plans (eventTypeKey). */
  readonly key: string;
  readonly validate: ValidateFunction;
  readonly attributes: readonly DeclaredAttribute[];
  readonly tree: Map<string, AttributeNode>;
  readonly identityLink?: { readonly aliasPath: string; readonly requiresPurpose: Purpose };
  /**
   * Top-level attributes naming the same person by another identifier (an e-mail address the CRM
   * knows), declared by the source (`identifiers.linked`): each links its value to the subject (R25).
   */
  readonly personIdentifiers: readonly string[];
  /** Personal open/click events: only the engagement-tracking purpose may carry them (R23). */
  readonly engagement: boolean;
  /** The device identifier (G1): `subject`, or the identity link's alias path; absent: none. */
  readonly device?: string;
  /**
   * Per purpose key, the consents using this type's attributes for it needs besides the purpose's
   * own consent of the person (e.g. the device's `cookie.marketing` for web behaviour); absent: none.
   */
  readonly requirements?: ReadonlyMap<string, readonly ConsentRequirement[]>;
}

/** A consent a use needs, and whose it is (the device's cookie choice, or the person's). */
export interface ConsentRequirement {
  readonly purpose: Purpose;
  readonly holder: 'device' | 'person';
}

/** E-mail/SMS marketing scope of a destination's messages (G3). */
export interface DestinationMarketing {
  readonly brand: string;
  readonly channel: string;
  readonly productGroups: readonly string[];
  readonly unsubscribeInEveryMessage: boolean;
}

/** A destination with its per-event-type plans. */
export interface Destination {
  readonly name: string;
  readonly topic: string;
  readonly channel: 'email' | 'sms' | 'none';
  readonly purposes: readonly Purpose[];
  readonly purposeKeys: ReadonlySet<string>;
  readonly identifiers: 'as-is' | 'pseudonym';
  readonly marketing: DestinationMarketing | null;
  /** Keyed by `${source}\u0000${type}`: one plan per attribute, in the event type's attribute order. */
  readonly plans: ReadonlyMap<string, readonly AttributePlan[]>;
}

/** A registered banner or consent-form version. */
export interface ConsentForm {
  readonly version: string;
  readonly kind: ConsentFormFile['kind'];
  readonly context: string | null;
  readonly firstLayer: ReadonlySet<string>;
  readonly allPurposes: ReadonlySet<string>;
  /** R3: every first-layer purpose can be chosen on its own, one-to-one. */
  readonly granular: boolean;
  readonly scopes: readonly MarketingScopeFile[];
  readonly withdrawalInfoShown: boolean;
  readonly doubleOptIn: boolean;
  /** R17: null when the form is not a competition form. */
  readonly competitionCompliant: boolean | null;
  readonly affirmativeActions: ReadonlySet<string>;
  /** Cookie banner: choice name -> the purposes it grants (the layer-2 mapping). */
  readonly choices: ReadonlyMap<string, readonly string[]>;
  /** Cookie banner run by a consent platform: platform -> choice -> categories all needed for it. */
  readonly cmpCategories: ReadonlyMap<CmpName, ReadonlyMap<string, readonly string[]>>;
  /** The text shown, as declared; null when the policy declares none. */
  readonly text: string | null;
  /** `sha256:<hex>` of the UTF-8 text (the form's `textVersion`); null without a text. */
  readonly textHash: string | null;
  /** How to withdraw, as declared; null when the policy says nothing. */
  readonly howToWithdraw: string | null;
}

/** Resolved options; defaults are the strict reading. */
export interface PolicyOptions {
  readonly cookieConsentMaxAgeMs: number | null;
  readonly marketingConsentMaxAgeMs: number | null;
  readonly maxEventBytes: number;
  readonly duplicateWindow: number;
  readonly engagementTrackingPurpose: string | null;
  /** Evidence captured longer than this before its event time is refused (default 24 h). */
  readonly maxEvidenceSkewMs: number;
  /** CloudEvent sources consent evidence is accepted from (default `consent-service`). */
  readonly consentEvidenceSources: ReadonlySet<string>;
  /**
   * How long a subject's state is kept after its last event when nothing in it still permits or
   * must be kept (state-expiry.ts); null: kept for ever (the default).
   */
  readonly stateHorizonMs: number | null;
  /** How long a double opt-in sign-up waits for its confirmation; null: until dropped by count. */
  readonly doubleOptInConfirmationMs: number | null;
  /** Purposes a Global Privacy Control signal objects to (sale or sharing); empty when none. */
  readonly gpcObjectsTo: readonly string[];
  /**
   * Days the audit store keeps lineage records; null: for ever; undefined: not declared (the audit
   * service's setting applies).
   */
  readonly lineageRetentionDays: number | null | undefined;
}

/** What an input topic carries, as the policy declares it. */
export type TopicBinding =
  | { readonly kind: 'evidence' }
  | { readonly kind: 'source'; readonly source: string };

/** The policy compiled into lookup maps; immutable and safe to share. */
export interface CompiledPolicy {
  readonly fileName: string;
  readonly declaredVersion: string;
  readonly contentHash: string;
  /** declared version + '+' + short sha256 of the file content; recorded in every decision. */
  readonly version: string;
  readonly controller: string | null;
  /** Art. 30(1)(a): the controller's contact details and the DPO's, as the policy states them. */
  readonly controllerContact: string | null;
  readonly dataProtectionOfficer: string | null;
  readonly options: PolicyOptions;
  readonly purposes: ReadonlyMap<string, Purpose>;
  readonly forms: ReadonlyMap<string, ConsentForm>;
  readonly sources: ReadonlySet<string>;
  /** Source → the topic it writes (`sources.<name>.topic`, default `source.<name>`). */
  readonly sourceTopics: ReadonlyMap<string, string>;
  /** The topic consent evidence is read from (`options.consentEvidenceTopic`, default `consent.evidence`). */
  readonly evidenceTopic: string;
  /**
   * Input topic (as declared, without a deployment prefix) → what it carries: an event read from a
   * topic must be of what the topic is declared for (its source's events, or consent evidence).
   */
  readonly inputTopics: ReadonlyMap<string, TopicBinding>;
  readonly eventTypes: ReadonlyMap<string, EventTypeSpec>;
  /** The same specs by source, then type: building a key string per event made the core ~5 % slower. */
  readonly eventTypesBySource: ReadonlyMap<string, ReadonlyMap<string, EventTypeSpec>>;
  readonly destinations: readonly Destination[];
  readonly destinationsByName: ReadonlyMap<string, Destination>;
  readonly ownBrands: ReadonlySet<string>;
  /** product group -> the groups registered as similar to it (incl. itself), for R15. */
  readonly similarGroups: ReadonlyMap<string, ReadonlySet<string>>;
  /** Banner versions that fail R3; consents captured on them grant nothing. */
  readonly nonGranularForms: readonly string[];
  /**
   * Attributes some destination asks for whose schema accepts undeclared members
   * (`source/type attribute`). Such members are dropped when forwarded (R28); closing the schema
   * (`additionalProperties: false`, `items`) refuses such events instead.
   */
  readonly openAttributes: readonly string[];
  /** R23's anonymous per-campaign counts, by name (empty: none declared). */
  readonly aggregates: readonly CompiledAggregate[];
}

/** An aggregate output: what it counts, by which attribute, and its minimum count k. */
export interface CompiledAggregate {
  readonly name: string;
  readonly topic: string;
  /** Top-level attribute path naming the campaign. */
  readonly by: string;
  readonly minimumCount: number;
}

/** Key of an event type in {@link CompiledPolicy.eventTypes} and destination plans. */
export function eventTypeKey(source: string, type: string): string {
  return `${source}\u0000${type}`;
}
