import { TCString, type TCModel } from '@iabtechlabtcf/core';
import type { CompiledPolicy } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';
import { bannerEvidence, bannerOf, declaredCategories, mapCategories } from './banner-evidence';
import { refuseIfExpired } from './signal-age';

/** Which TC strings are accepted: from registered CMPs, under the current TCF policy. */
export interface TcfConfig {
  /** CMP ids registered with IAB Europe that this site uses (a configured list). */
  readonly registeredCmpIds: ReadonlySet<number>;
  /** The current GVL's `tcfPolicyVersion` (4 for TCF v2.2). */
  readonly gvlPolicyVersion: number;
}

/** What the TC string says, for the ledger beside the evidence; its dates are whole days. */
export interface TcfSummary {
  readonly cmpId: number;
  readonly cmpVersion: number;
  readonly policyVersion: number;
  readonly consentScreen: number;
  readonly language: string;
  readonly vendorListVersion: number;
  /** Day the string was last updated (YYYY-MM-DD): it cannot time a consent. */
  readonly lastUpdatedDay: string;
  readonly purposeConsents: readonly number[];
  readonly purposeLegitimateInterests: readonly number[];
  readonly vendorConsents: readonly number[];
  readonly vendorLegitimateInterests: readonly number[];
  readonly specialFeatureOptins: readonly number[];
  readonly publisherRestrictions: readonly {
    readonly purpose: number;
    readonly type: number;
    readonly vendors: readonly number[];
  }[];
}

/** Long enough for a core string with range-encoded vendors and every optional segment. */
const MAX_TC_STRING = 8192;

function ids(vector: { forEach(fn: (value: boolean, id: number) => void): void }): number[] {
  const out: number[] = [];
  vector.forEach((on, id) => {
    if (on) out.push(id);
  });
  return out;
}

function summarise(m: TCModel): TcfSummary {
  const restrictions = m.publisherRestrictions;
  return {
    cmpId: Number(m.cmpId),
    cmpVersion: Number(m.cmpVersion),
    policyVersion: Number(m.policyVersion),
    consentScreen: Number(m.consentScreen),
    language: m.consentLanguage.toLowerCase(),
    vendorListVersion: Number(m.vendorListVersion),
    lastUpdatedDay: (m.lastUpdated ?? new Date(0)).toISOString().slice(0, 10),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    vendorConsents: ids(m.vendorConsents),
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    specialFeatureOptins: ids(m.specialFeatureOptins),
    publisherRestrictions: restrictions.getRestrictions().map((r) => ({
      purpose: r.purposeId,
      type: r.restrictionType,
      vendors: restrictions.getVendors(r),
    })),
  };
}

/** Decodes a TC string with the IAB's own decoder; never throws. */
export function decodeTcString(
  input: unknown,
  config: TcfConfig,
): { readonly ok: true; readonly tcf: TcfSummary } | Extract<AdapterResult, { ok: false }> {
  const fail = (r: AdapterResult): Extract<AdapterResult, { ok: false }> =>
    r as Extract<AdapterResult, { ok: false }>;
  if (typeof input !== 'string') return fail(refuse('malformed', 'payload', 'must be a TC string'));
  if (input.length > MAX_TC_STRING)
    return fail(refuse('oversized', 'payload', `must be at most ${MAX_TC_STRING} characters`));
  if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+){0,3}$/.test(input))
    return fail(refuse('malformed', 'payload', 'must be base64url segments joined by "."'));
  let tcf: TcfSummary;
  let serviceSpecific: boolean;
  let version: number;
  try {
    const m = TCString.decode(input);
    tcf = summarise(m);
    serviceSpecific = m.isServiceSpecific;
    version = Number(m.version);
  } catch {
    // A decode error is no consent (R5); the decoder's message may quote the input, so it is dropped.
    return fail(refuse('undecodable', 'payload', 'the IAB decoder cannot read the TC string'));
  }
  if (version !== 2) return fail(refuse('undecodable', 'payload', 'is not a TCF v2 string'));
  if (!serviceSpecific)
    return fail(
      refuse('not-service-specific', 'payload', 'IsServiceSpecific is 0, so the string is invalid (R5)'),
    );
  if (!config.registeredCmpIds.has(tcf.cmpId))
    return fail(refuse('unregistered-cmp', 'payload', 'the CMP id is not on the list of registered CMPs'));
  if (tcf.policyVersion !== config.gvlPolicyVersion)
    return fail(
      refuse(
        'outdated-policy-version',
        'payload',
        tcf.policyVersion < config.gvlPolicyVersion
          ? 'made under an older TCF policy than the current GVL; consent must be re-established (R5)'
          : 'made under a newer TCF policy than configured; update the configured GVL policy version',
      ),
    );
  return { ok: true, tcf };
}

/** The result of the TCF adapter: the evidence, and on success what the string said. */
export type TcfAdapterResult = AdapterResult & { readonly tcf?: TcfSummary };

/**
 * Maps an IAB TCF v2.2 TC string onto cookie-banner evidence. Only purpose consents grant;
 * legitimate interests never do (our purposes rest on consent). Vendor consents and publisher
 * restrictions are returned for the ledger but grant nothing here. The evidence time is the server
 * receive time; the string's day-level date only refuses a string older than R8's maximum age.
 */
export function adaptTcf(
  policy: CompiledPolicy,
  payload: unknown,
  context: CaptureContext,
  config: TcfConfig,
): TcfAdapterResult {
  const decoded = decodeTcString(payload, config);
  if (!decoded.ok) return decoded;
  const { tcf } = decoded;
  const expired = refuseIfExpired(policy, Date.parse(tcf.lastUpdatedDay), context.receivedAt, 'payload');
  if (expired !== null) return expired;
  const banner = bannerOf(policy, context);
  if ('refusal' in banner) return banner.refusal;
  const byChoice = declaredCategories(banner.form, 'tcf');
  if ('ok' in byChoice) return byChoice;
  const consents = new Set(tcf.purposeConsents);
  const mapped = mapCategories(policy, banner.form, byChoice, (c) => consents.has(Number(c)));
  const result = bannerEvidence(
    banner.form,
    {
      ...context,
      banner: {
        formVersion: banner.form.version,
        textVersion: context.banner?.textVersion ?? '',
        language: tcf.language,
      },
    },
    { cmp: `tcf:${tcf.cmpId}/${tcf.cmpVersion}`, purposes: mapped.purposes, leftOut: mapped.leftOut },
  );
  return result.ok ? { ...result, tcf } : result;
}
