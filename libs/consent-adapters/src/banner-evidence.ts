import type { CmpSignal, ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { checkEvidence, type CmpName, type CompiledPolicy, type ConsentForm } from '@app/policy';
import { refuse, type AdapterResult, type CaptureContext } from './adapter.types';

/** The banner the context names, when it is a registered cookie banner. */
export function bannerOf(
  policy: CompiledPolicy,
  context: CaptureContext,
): { readonly form: ConsentForm } | { readonly refusal: AdapterResult } {
  const version = context.banner?.formVersion;
  const form = version === undefined ? undefined : policy.forms.get(version);
  if (form === undefined || form.kind !== 'cookie-banner')
    return {
      refusal: refuse(
        'unknown-form',
        'context.banner.formVersion',
        'the banner version is not a cookie banner registered in the policy',
      ),
    };
  return { form };
}

/** What a platform's categories grant on a banner, split by what its first layer shows. */
export interface MappedChoice {
  /** Purposes of the choices whose categories were all granted, shown on the first layer. */
  readonly purposes: readonly string[];
  /** Choices granted whose purposes the first layer does not show (left out, R2). */
  readonly leftOut: readonly string[];
}

/**
 * Maps a platform's granted categories onto the banner's choices: a choice counts only when every
 * category declared for it is granted. Platforms do not report on which layer the person chose,
 * so the choice is read as made on the first layer: only purposes it shows can be granted (R2).
 * Necessary purposes never come from a platform category (R6).
 */
export function mapCategories(
  policy: CompiledPolicy,
  form: ConsentForm,
  byChoice: ReadonlyMap<string, readonly string[]>,
  granted: (category: string) => boolean,
): MappedChoice {
  const purposes = new Set<string>();
  const leftOut: string[] = [];
  for (const [choice, categories] of byChoice) {
    if (!categories.every(granted)) continue;
    for (const p of form.choices.get(choice) ?? []) {
      if (policy.purposes.get(p)?.necessary === true) continue;
      if (form.firstLayer.has(p)) purposes.add(p);
      else if (!leftOut.includes(choice)) leftOut.push(choice);
    }
  }
  return { purposes: [...purposes].sort(), leftOut };
}

/** The platform's category declaration on the banner, or a refusal naming where it is missing. */
export function declaredCategories(
  form: ConsentForm,
  cmp: CmpName,
): ReadonlyMap<string, readonly string[]> | AdapterResult {
  const byChoice = form.cmpCategories.get(cmp);
  if (byChoice === undefined)
    return refuse(
      'no-cmp-mapping',
      `policy.consentForms.${form.version}.cmpCategories.${cmp}`,
      `the banner declares no ${cmp} categories`,
    );
  return byChoice;
}

/** A banner choice as the platform reported it, ready for the contract. */
export interface BannerChoice {
  readonly cmp: string;
  readonly purposes: readonly string[];
  /** The platform's signal of how the choice was made, checked centrally by the core (R5). */
  readonly cmpSignal?: CmpSignal;
  /** Set when the platform's own state shows no choice at all (R1, e.g. `cmp_default`). */
  readonly nonAffirmative?: string;
  readonly leftOut: readonly string[];
}

/**
 * Builds the cookie-banner evidence for a platform's choice and checks it against the same strict
 * contract the core applies. A choice of nothing is recorded as "necessary only" (R6), which the
 * core honours as a refusal.
 */
export function bannerEvidence(
  form: ConsentForm,
  context: CaptureContext,
  choice: BannerChoice,
): AdapterResult {
  const action = choice.nonAffirmative ?? (choice.purposes.length === 0 ? 'necessary_only' : 'save_choices');
  return checked(
    {
      evidenceId: context.evidenceId,
      kind: 'cookie-banner',
      subject: { key: context.subjectKey },
      timestamp: context.receivedAt,
      cmp: choice.cmp,
      formVersion: form.version,
      textVersion: context.banner?.textVersion ?? '',
      action,
      uiLayer: 1,
      language: context.banner?.language ?? 'und',
      purposes: [...choice.purposes],
      sourceChannel: context.sourceChannel,
      ...(context.url === undefined ? {} : { url: context.url }),
      ...(choice.cmpSignal === undefined ? {} : { cmpSignal: choice.cmpSignal }),
    },
    choice.leftOut,
  );
}

/** Evidence checked against the contract schema, or a `contract` refusal with the contract path. */
export function checked(evidence: ConsentEvidence, leftOut: readonly string[] = []): AdapterResult {
  const result = checkEvidence(evidence);
  if (!result.ok) {
    const colon = result.reason.indexOf(':');
    return refuse('contract', colon > 0 ? result.reason.slice(0, colon) : 'data', result.reason);
  }
  return { ok: true, evidence: result.evidence, leftOut };
}
