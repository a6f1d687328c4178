import type { ConsentEvidence, MarketingScope } from '@app/contracts/consent-evidence.contract';
import type { CompiledPolicy, ConsentForm } from '../policy-file/compiled-policy.types';

/** What a valid piece of evidence does to the consent state. */
export type EvidenceEffect =
  | { readonly type: 'none' }
  | {
      readonly type: 'cookie-choice';
      readonly granted: readonly string[];
      /** Purposes offered by the banner but not chosen: a later valid choice replaces an earlier one. */
      readonly notChosen: readonly string[];
      /**
       * The rule that decided a not-chosen purpose the person holds no grant for, recorded so later
       * decisions cite it (R27): R2 for purposes "accept all" does not cover, R6 for a refusal
       * ("necessary only", "reject all"); null for a plain per-purpose choice (nothing to cite).
       */
      readonly refusedBy: 'R2' | 'R6' | null;
    }
  | {
      readonly type: 'marketing-consent';
      readonly purposes: readonly string[];
      readonly scopes: readonly MarketingScope[];
      readonly pendingConfirmation: boolean;
    }
  | { readonly type: 'confirm'; readonly confirms: string }
  | { readonly type: 'soft-opt-in'; readonly scope: MarketingScope }
  | {
      readonly type: 'withdrawal';
      readonly all: boolean;
      readonly purposes: readonly string[];
      readonly marketing: Partial<MarketingScope> | null;
    }
  | { readonly type: 'objection' };

/** The assessment of one piece of consent evidence: valid or not, why, and its effect. */
export interface EvidenceAssessment {
  readonly evidenceId: string;
  readonly kind: ConsentEvidence['kind'];
  readonly valid: boolean;
  readonly rule: string;
  readonly reason: string;
  /** Purposes the evidence claimed; on an invalid assessment these are recorded as refused. */
  readonly claimedPurposes: readonly string[];
  /**
   * On an invalid banner choice: every purpose the banner offers (a choice that is not valid is
   * no choice about any of them), recorded as refused instead of the claimed ones so that later
   * decisions, device consents included, cite the rule that refused it (R27).
   */
  readonly refuses?: readonly string[];
  readonly effect: EvidenceEffect;
}

/**
 * Banner actions that refuse everything but the strictly necessary: honoured as a valid choice of
 * nothing on any registered banner, whatever the form registers or the CMP signal says (refusing
 * must be as easy as consenting, and a stop is never set aside for a defect of the banner). R6.
 */
export const REFUSAL_ACTIONS: ReadonlySet<string> = new Set(['reject_all', 'necessary_only']);

/** Actions that are never consent, whatever a form registers (R1). */
export const NON_AFFIRMATIVE_ACTIONS: ReadonlySet<string> = new Set([
  'dismiss',
  'close_x',
  'scroll',
  'continued_browsing',
  'timeout',
  'implied',
  'preticked',
  'cmp_default',
]);

const R4_GRANT_FIELDS = [
  'cmp',
  'formVersion',
  'textVersion',
  'action',
  'uiLayer',
  'language',
  'purposes',
  'sourceChannel',
] as const;

function invalid(
  e: ConsentEvidence,
  rule: string,
  reason: string,
  claimed: readonly string[] = e.purposes ?? [],
): EvidenceAssessment {
  return {
    evidenceId: e.evidenceId,
    kind: e.kind,
    valid: false,
    rule,
    reason,
    claimedPurposes: claimed,
    effect: { type: 'none' },
  };
}

function valid(e: ConsentEvidence, rule: string, reason: string, effect: EvidenceEffect): EvidenceAssessment {
  return {
    evidenceId: e.evidenceId,
    kind: e.kind,
    valid: true,
    rule,
    reason,
    claimedPurposes: e.purposes ?? [],
    effect,
  };
}

function missingR4Fields(e: ConsentEvidence): string[] {
  const record = e as unknown as Record<string, unknown>;
  return R4_GRANT_FIELDS.filter((f) => record[f] === undefined || record[f] === null || record[f] === '');
}

function checkR5(e: ConsentEvidence): string | null {
  const s = e.cmpSignal;
  if (s === undefined) return null;
  // Reasons name the check, never the CMP's value: the reason goes to lineage and the changelog.
  if (s.hasResponse === false) return 'the CMP recorded no response';
  if (s.method !== undefined && s.method !== 'explicit') return 'the CMP consent method is not explicit';
  if (s.consentModel !== undefined && s.consentModel !== 'opt-in')
    return 'the CMP consent model is not opt-in';
  if (s.interactionCount === 0) return 'the CMP recorded no user interaction';
  return null;
}

function checkAffirmative(e: ConsentEvidence, form: ConsentForm): string | null {
  const action = e.action ?? '';
  if (NON_AFFIRMATIVE_ACTIONS.has(action) || !form.affirmativeActions.has(action)) {
    return `the action is not a clear affirmative action on ${form.version}`;
  }
  return null;
}

/** The part of a claimed scope that the form offered; null when no brand or channel is left. */
function intersectScope(claimed: MarketingScope, offered: readonly MarketingScope[]): MarketingScope | null {
  const brands = claimed.brands.filter((b) => offered.some((s) => s.brands.includes(b)));
  const channels = claimed.channels.filter((c) => offered.some((s) => s.channels.includes(c)));
  const productGroups = claimed.productGroups.filter((g) => offered.some((s) => s.productGroups.includes(g)));
  return brands.length > 0 && channels.length > 0 ? { brands, channels, productGroups } : null;
}

function assessCookieBanner(
  policy: CompiledPolicy,
  e: ConsentEvidence,
  form: ConsentForm,
): EvidenceAssessment {
  if (form.kind !== 'cookie-banner') return invalid(e, 'R7', `form ${form.version} is not a cookie banner`);
  const nonNecessary = (p: string): boolean => policy.purposes.get(p)?.necessary !== true;
  const offered = [...form.allPurposes].filter(nonNecessary);
  if (REFUSAL_ACTIONS.has(e.action ?? '')) {
    return valid(e, 'R6', `refusal on ${form.version}: only strictly necessary cookies, no consent`, {
      type: 'cookie-choice',
      granted: [],
      notChosen: offered,
      refusedBy: 'R6',
    });
  }
  // What the banner claims was accepted (the lineage's claim); every offered purpose is refused.
  const claimed = (): readonly string[] =>
    e.action === 'accept_all' ? [...form.firstLayer] : (e.purposes ?? []);
  const refused = (rule: string, reason: string): EvidenceAssessment => ({
    ...invalid(e, rule, reason, claimed()),
    refuses: offered,
  });
  const r5 = checkR5(e);
  if (r5 !== null) return refused('R5', r5);
  const r1 = checkAffirmative(e, form);
  if (r1 !== null) return refused('R1', r1);
  if (!form.granular)
    return refused('R3', `banner ${form.version} offers no real per-purpose choice, so it grants nothing`);
  // R2: accept-all grants exactly the first-layer purposes; R7: only purposes on this version count.
  const granted =
    e.action === 'accept_all'
      ? [...form.firstLayer].filter(nonNecessary)
      : (e.purposes ?? []).filter((p) => form.allPurposes.has(p) && nonNecessary(p));
  const notChosen = offered.filter((p) => !granted.includes(p));
  // A choice of nothing but the necessary is a refusal (R6), whichever button recorded it.
  const rule = granted.length === 0 ? 'R6' : e.action === 'accept_all' ? 'R2' : 'R1';
  return valid(e, rule, `valid choice on ${form.version}; grants ${granted.join(', ') || 'nothing'}`, {
    type: 'cookie-choice',
    granted,
    notChosen,
    refusedBy: granted.length === 0 ? 'R6' : e.action === 'accept_all' ? 'R2' : null,
  });
}

function assessMarketingConsent(e: ConsentEvidence, form: ConsentForm): EvidenceAssessment {
  if (form.kind !== 'marketing-consent')
    return invalid(e, 'R7', `form ${form.version} is not a marketing consent form`);
  const r1 = checkAffirmative(e, form);
  if (r1 !== null) return invalid(e, 'R1', r1);
  if (!form.withdrawalInfoShown) {
    return invalid(e, 'R14', `form ${form.version} did not tell the person that consent can be withdrawn`);
  }
  if (form.competitionCompliant === false) {
    return invalid(
      e,
      'R17',
      `competition form ${form.version} lacks a separate, prominent consent step naming companies and product groups`,
    );
  }
  // R4: the purposes chosen are mandatory evidence. A consent naming none says nothing specific,
  // and reading it as the whole form would bundle purposes the person never chose (R3).
  if (e.purposes === undefined || e.purposes.length === 0)
    return invalid(e, 'R4', 'the consent names no purposes, so it grants nothing');
  const purposes = e.purposes.filter((p) => form.allPurposes.has(p));
  const scopes = (e.scopes ?? form.scopes).flatMap((s) => intersectScope(s, form.scopes) ?? []);
  return valid(
    e,
    'R14',
    form.doubleOptIn
      ? `valid consent on ${form.version}, effective once the double opt-in is confirmed`
      : `valid consent on ${form.version}`,
    { type: 'marketing-consent', purposes, scopes, pendingConfirmation: form.doubleOptIn },
  );
}

function assessSoftOptIn(policy: CompiledPolicy, e: ConsentEvidence, form: ConsentForm): EvidenceAssessment {
  if (form.kind !== 'soft-opt-in') {
    return invalid(
      e,
      'R15',
      `form ${form.version} is not a checkout opt-out notice; soft opt-in needs a completed sale`,
    );
  }
  if (e.sale === undefined || !e.sale.completed) {
    return invalid(e, 'R15', 'no completed sale (e.g. an abandoned checkout), so there is no soft opt-in');
  }
  if (e.optOutOffered !== true)
    return invalid(e, 'R15', 'the opt-out was not offered when the address was collected');
  if (e.optOutUsed === true) return invalid(e, 'R15', 'the customer used the opt-out at collection');
  return valid(e, 'R15', 'soft opt-in for own similar products after a completed sale', {
    type: 'soft-opt-in',
    scope: { brands: [...policy.ownBrands], channels: ['email'], productGroups: [...e.sale.productGroups] },
  });
}

/**
 * Assesses one piece of consent evidence against the policy. Pure; the evidence has passed the
 * contract schema (`evidence-check.ts`). Invalid evidence grants nothing and says why, with the
 * rule. `unreadable`: the evidence is the core's fail-closed reading of a withdrawal or objection
 * that failed the contract. Claimed purposes the policy does not declare are left out, so
 * lineage names declared purposes only.
 */
export function assessEvidence(
  policy: CompiledPolicy,
  e: ConsentEvidence,
  unreadable = false,
): EvidenceAssessment {
  const a = unreadable ? assessUnreadable(e) : assessReadable(policy, e);
  const declared = a.claimedPurposes.filter((p) => policy.purposes.has(p));
  return declared.length === a.claimedPurposes.length ? a : { ...a, claimedPurposes: declared };
}

/** A withdrawal or objection that could not be fully read: honoured in its widest reading. */
function assessUnreadable(e: ConsentEvidence): EvidenceAssessment {
  if (e.kind === 'objection')
    return valid(e, 'R19', 'an objection that could not be fully read; honoured as an objection', {
      type: 'objection',
    });
  return valid(e, 'R18', 'a withdrawal that could not be fully read; honoured as withdrawing everything', {
    type: 'withdrawal',
    all: true,
    purposes: [],
    marketing: null,
  });
}

function assessReadable(policy: CompiledPolicy, e: ConsentEvidence): EvidenceAssessment {
  switch (e.kind) {
    case 'withdrawal': {
      const w = e.withdrawal ?? { all: true };
      // An empty scope, like an absent one, takes back everything (the schema refuses `all: false` alone).
      const everything = w.all === true || (w.purposes === undefined && w.marketing === undefined);
      return valid(e, 'R18', 'withdrawal takes effect immediately', {
        type: 'withdrawal',
        all: everything,
        purposes: w.purposes ?? [],
        marketing: w.marketing ?? null,
      });
    }
    case 'objection':
      return valid(e, 'R19', 'objection to direct marketing, incl. profiling (Art. 21(2))', {
        type: 'objection',
      });
    case 'double-opt-in-confirmation':
      if (typeof e.confirms !== 'string')
        return invalid(e, 'R4', 'the confirmation does not say what it confirms');
      return valid(e, 'R14', 'double opt-in confirmation', { type: 'confirm', confirms: e.confirms });
    default:
      break;
  }
  const missing =
    e.kind === 'soft-opt-in-notice'
      ? ['formVersion', 'textVersion', 'sourceChannel'].filter(
          (f) => (e as unknown as Record<string, unknown>)[f] === undefined,
        )
      : missingR4Fields(e);
  if (missing.length > 0) return invalid(e, 'R4', `evidence lacks mandatory field(s): ${missing.join(', ')}`);
  const form = policy.forms.get(e.formVersion as string);
  if (form === undefined)
    return invalid(e, 'R7', 'the banner or form version is not registered in the policy');
  if (e.kind === 'cookie-banner') return assessCookieBanner(policy, e, form);
  if (e.kind === 'marketing-consent') return assessMarketingConsent(e, form);
  return assessSoftOptIn(policy, e, form);
}
