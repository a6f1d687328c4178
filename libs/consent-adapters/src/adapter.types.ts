import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';

/**
 * What the capturing endpoint knows about a signal besides its payload. Trusted: set by the
 * server (never read from the browser's payload), and the only source of time, since adapters
 * have no clock and a CMP's own dates cannot time a consent.
 */
export interface CaptureContext {
  /** Unique id of this piece of evidence (e.g. the request id); the ledger's key. */
  readonly evidenceId: string;
  /** The subject the signal is about: the device identifier the endpoint read. */
  readonly subjectKey: string;
  /** Server receive time, RFC 3339 UTC: the evidence time. */
  readonly receivedAt: string;
  /** 'web', 'app', ... */
  readonly sourceChannel: string;
  readonly url?: string;
  /**
   * The banner the site served, as registered in the policy, and the hash of its text; needed by
   * the consent platform adapters, whose payloads do not name our banner version.
   */
  readonly banner?: {
    readonly formVersion: string;
    readonly textVersion: string;
    readonly language?: string;
  };
}

/** Why an adapter produced no evidence. */
export const REFUSAL_CODES = [
  /** Not the shape the platform sends (wrong type, missing field, unparseable). */
  'malformed',
  /** Larger than any genuine signal. */
  'oversized',
  /** A TC string the IAB decoder cannot read. */
  'undecodable',
  /** A TC string from a CMP id not on the configured list of registered CMPs. */
  'unregistered-cmp',
  /** A TC string made under an older TCF policy than the current GVL's (R5). */
  'outdated-policy-version',
  /** A TC string that is not service-specific (R5). */
  'not-service-specific',
  /** The platform's own date is older than the cookie consent maximum age (R8). */
  'expired',
  /** The banner version is not a cookie banner registered in the policy. */
  'unknown-form',
  /** The banner declares no categories for this platform (`cmpCategories`). */
  'no-cmp-mapping',
  /** The policy declares no purposes for this signal (e.g. `options.gpcObjectsTo`). */
  'nothing-to-record',
  /** The evidence built does not pass the evidence contract (a context or mapping defect). */
  'contract',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** A typed refusal: a code and the JSON path of the offending input; never an input value. */
export interface AdapterRefusal {
  readonly code: RefusalCode;
  /** `payload.groups`, `context.banner.formVersion`, ... */
  readonly path: string;
  readonly message: string;
}

/** The outcome of one adapter call. */
export type AdapterResult =
  | {
      readonly ok: true;
      readonly evidence: ConsentEvidence;
      /**
       * Banner choices whose platform categories were all granted but whose purposes the
       * banner's first layer does not show: left out of the evidence (R2). Choice names from the
       * policy, never input values.
       */
      readonly leftOut: readonly string[];
    }
  | { readonly ok: false; readonly refusal: AdapterRefusal };

/** Builds a refusal result. */
export function refuse(code: RefusalCode, path: string, message: string): AdapterResult {
  return { ok: false, refusal: { code, path, message } };
}
