import type { PolicyError } from './policy-error';
import { joinPath } from './policy-error';
import type { CmpName, PolicyFile } from './policy-file.types';

/** The consent platforms a banner can declare categories for, in the file's spelling. */
export const CMP_NAMES: readonly CmpName[] = ['cookiebot', 'onetrust', 'consentMode', 'tcf'];

/** Categories that are always "on" and so never consent (R6), per platform. */
const NECESSARY: Readonly<Record<CmpName, ReadonlySet<string>>> = {
  cookiebot: new Set(['necessary']),
  onetrust: new Set(['C0001']),
  consentMode: new Set(['security_storage']),
  tcf: new Set(),
};

/** Whether `category` is a consent category the platform can signal. */
const KNOWN: Readonly<Record<CmpName, (category: string) => boolean>> = {
  cookiebot: (c) => c === 'preferences' || c === 'statistics' || c === 'marketing',
  // Tenants configure their own group ids; C0002..C0005 are the defaults.
  onetrust: (c) => /^[A-Za-z0-9_-]{1,32}$/.test(c),
  consentMode: (c) =>
    [
      'ad_storage',
      'analytics_storage',
      'ad_user_data',
      'ad_personalization',
      'functionality_storage',
      'personalization_storage',
    ].includes(c),
  // TCF v2.2 purposes 1-11; only their consent bits can grant a consent purpose.
  tcf: (c) => /^(?:[1-9]|1[01])$/.test(c),
};

/**
 * Checks each banner's `cmpCategories`: only on cookie banners, only declared choices, only
 * categories the platform signals, never a necessary category (R6), and no two choices that need
 * the same categories (they could not be chosen apart, R3). Also `options.gpcObjectsTo`.
 */
export function checkCmpCategories(file: PolicyFile): PolicyError[] {
  const errors: PolicyError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ path, message });
  };
  for (const [name, form] of Object.entries(file.consentForms)) {
    if (form.cmpCategories === undefined) continue;
    const path = joinPath(joinPath('consentForms', name), 'cmpCategories');
    if (form.kind !== 'cookie-banner') {
      err(path, 'only a cookie banner maps consent platform categories');
      continue;
    }
    const choices = form.choices ?? {};
    for (const cmp of CMP_NAMES) {
      const byChoice = form.cmpCategories[cmp];
      if (byChoice === undefined) continue;
      const cmpPath = joinPath(path, cmp);
      const seen = new Map<string, string>();
      for (const [choice, categories] of Object.entries(byChoice)) {
        const choicePath = joinPath(cmpPath, choice);
        if (!Object.hasOwn(choices, choice))
          err(choicePath, `"${choice}" is not one of the banner's choices`);
        categories.forEach((c, i) => {
          if (NECESSARY[cmp].has(c))
            err(joinPath(choicePath, i), `"${c}" is always on, so it is never consent (R6)`);
          else if (!KNOWN[cmp](c)) err(joinPath(choicePath, i), `"${c}" is not a ${cmp} consent category`);
        });
        const signature = [...new Set(categories)].sort().join('\u0000');
        const twin = seen.get(signature);
        if (twin !== undefined)
          err(
            choicePath,
            `needs the same ${cmp} categories as "${twin}", so the two cannot be chosen apart (R3)`,
          );
        else seen.set(signature, choice);
      }
    }
  }
  (file.options?.gpcObjectsTo ?? []).forEach((p, i) => {
    const path = joinPath('options.gpcObjectsTo', i);
    const purpose = Object.hasOwn(file.purposes, p) ? file.purposes[p] : undefined;
    if (purpose === undefined) err(path, `unknown purpose "${p}"`);
    else if (purpose.necessary === true)
      err(path, `"${p}" is strictly necessary; an objection cannot apply to it (R6)`);
  });
  return errors;
}
