import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import {
  adaptConsentMode,
  adaptCookiebot,
  adaptOneTrust,
  adaptTcf,
  type AdapterResult,
  type CaptureContext,
  type TcfConfig,
} from '@app/consent-adapters';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { assessEvidence, type CmpName, type CompiledPolicy, type ConsentForm } from '@app/policy';

/**
 * The consent platforms a banner choice of the sample can arrive through, besides our own banner:
 * the route is the gateway's adapter path (`POST /v1/consents/<route>`).
 */
export const PLATFORM_ROUTES = ['tcf', 'consent-mode', 'cookiebot', 'onetrust'] as const;
export type PlatformRoute = (typeof PLATFORM_ROUTES)[number];
/** The rotation of banner choices: our own banner first, then each platform in turn. */
export const BANNER_ROUTES = ['own-banner', ...PLATFORM_ROUTES] as const;
export type BannerRoute = (typeof BANNER_ROUTES)[number];

/** The CMP id the job's TC strings carry; the job's gateway is configured to accept it. */
export const JOB_TCF_CMP_ID = 10;
/** TCF v2.2: the GVL policy version the gateway checks TC strings against. */
export const JOB_TCF_POLICY_VERSION = 4;
export const JOB_TCF_CONFIG: TcfConfig = {
  registeredCmpIds: new Set([JOB_TCF_CMP_ID]),
  gvlPolicyVersion: JOB_TCF_POLICY_VERSION,
};

const CMP_OF: Readonly<Record<PlatformRoute, CmpName>> = {
  tcf: 'tcf',
  'consent-mode': 'consentMode',
  cookiebot: 'cookiebot',
  onetrust: 'onetrust',
};

/**
 * A banner choice: the banner, the purposes chosen and when. TC strings carry Danish as their
 * consent language (the vendor list is built in Danish); a choice in another language fails
 * {@link decidedAlike} and stays on our own banner.
 */
export interface BannerChoiceLine {
  readonly form: ConsentForm;
  readonly purposes: ReadonlySet<string>;
  readonly atMs: number;
}

/**
 * The platform categories the person granted: those of every banner choice whose purposes were all
 * chosen. Null when the banner declares no categories for the platform.
 */
function grantedCategories(
  choice: BannerChoiceLine,
  cmp: CmpName,
): { on: Set<string>; all: Set<string> } | null {
  const byChoice = choice.form.cmpCategories.get(cmp);
  if (byChoice === undefined) return null;
  const on = new Set<string>();
  const all = new Set<string>();
  for (const [name, categories] of byChoice) {
    for (const c of categories) all.add(c);
    const of = choice.form.choices.get(name) ?? [];
    if (of.length > 0 && of.every((p) => choice.purposes.has(p))) for (const c of categories) on.add(c);
  }
  return { on, all };
}

/**
 * A vendor list with no vendors, built here: a TC string needs the GVL's version and policy
 * version, not its vendors (the job grants purposes only), and the job never downloads the GVL.
 */
function localVendorList(): GVL {
  const purposes = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [
      i + 1,
      { id: i + 1, name: `Purpose ${i + 1}`, description: '', illustrations: [] },
    ]),
  );
  return new GVL(
    {
      gvlSpecificationVersion: 3,
      vendorListVersion: 150,
      tcfPolicyVersion: JOB_TCF_POLICY_VERSION,
      lastUpdated: '2026-10-29T16:00:00Z',
      purposes,
      specialPurposes: {},
      features: {},
      specialFeatures: {},
      stacks: {},
      dataCategories: {},
      vendors: {},
    } as unknown as ConstructorParameters<typeof GVL>[0],
    { language: 'da' },
  );
}

function tcString(on: ReadonlySet<string>, atMs: number): string {
  const m = new TCModel(localVendorList());
  m.cmpId = JOB_TCF_CMP_ID;
  m.cmpVersion = 1;
  m.consentScreen = 1;
  m.isServiceSpecific = true;
  m.publisherCountryCode = 'DK';
  m.purposeConsents.set([...on].map(Number));
  // TC strings carry whole days only.
  const day = new Date(new Date(atMs).toISOString().slice(0, 10));
  m.created = day;
  m.lastUpdated = day;
  return TCString.encode(m);
}

/**
 * The choice as the platform's browser callback would send it (the gateway's `signal`), or null
 * when the banner declares no categories for the platform.
 */
export function platformSignal(route: PlatformRoute, choice: BannerChoiceLine): unknown {
  const granted = grantedCategories(choice, CMP_OF[route]);
  if (granted === null) return null;
  const { on, all } = granted;
  switch (route) {
    case 'tcf':
      return tcString(on, choice.atMs);
    case 'consent-mode':
      return [
        'consent',
        'update',
        Object.fromEntries([...all].sort().map((c) => [c, on.has(c) ? 'granted' : 'denied'])),
      ];
    case 'cookiebot': {
      const flag = (c: string): boolean => on.has(c);
      const cookie =
        `{stamp:'job',necessary:true,preferences:${flag('preferences')},statistics:${flag('statistics')},` +
        `marketing:${flag('marketing')},method:'explicit',ver:1,utc:${choice.atMs},region:'dk'}`;
      return encodeURIComponent(cookie).replace(/%3A/g, ':');
    }
    case 'onetrust': {
      const groups = ['C0001:1', ...[...all].sort().map((c) => `${c}:${on.has(c) ? 1 : 0}`)].join(',');
      const optanonConsent = new URLSearchParams({
        interactionCount: '1',
        version: '202409.1.0',
        groups,
      }).toString();
      return {
        optanonConsent,
        alertBoxClosed: new Date(choice.atMs).toISOString(),
        consentModel: 'opt-in',
      };
    }
  }
}

/** The platform's adapter, as the gateway runs it on the callback. */
export function adaptPlatform(
  policy: CompiledPolicy,
  route: PlatformRoute,
  signal: unknown,
  context: CaptureContext,
): AdapterResult {
  switch (route) {
    case 'tcf':
      return adaptTcf(policy, signal, context, JOB_TCF_CONFIG);
    case 'consent-mode':
      return adaptConsentMode(policy, signal, context);
    case 'cookiebot':
      return adaptCookiebot(policy, signal, context);
    case 'onetrust':
      return adaptOneTrust(policy, signal, context);
  }
}

/** What the decision core makes of evidence, without its id (which the gateway assigns afresh). */
function decisionOf(policy: CompiledPolicy, evidence: ConsentEvidence): string {
  const { evidenceId: _id, ...assessment } = assessEvidence(policy, evidence);
  return JSON.stringify(assessment);
}

/**
 * True when the adapter's evidence for the callback is decided exactly as the original evidence:
 * the same assessment (rule, reason, purposes granted and not chosen) and the same language.
 * Anything else (a refusal, accept-all read as a choice, a second-layer purpose a platform cannot
 * report) keeps the line on our own banner.
 */
export function decidedAlike(
  policy: CompiledPolicy,
  original: ConsentEvidence,
  adapted: AdapterResult,
): boolean {
  if (!adapted.ok) return false;
  return (
    adapted.evidence.language === original.language &&
    decisionOf(policy, adapted.evidence) === decisionOf(policy, original)
  );
}
