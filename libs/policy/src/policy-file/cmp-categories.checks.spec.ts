import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, PolicyLoadError } from '../index';

const EXAMPLE = readFileSync(join(__dirname, '../../../../policies/example.yaml'), 'utf8');

/** The example policy with banner-v1's `cmpCategories` block replaced by `block` (YAML, indented). */
function withCategories(block: string, options = ''): string {
  const start = EXAMPLE.indexOf('    cmpCategories:');
  const end = EXAMPLE.indexOf('  banner-v2:');
  let text = `${EXAMPLE.slice(0, start)}${block}${EXAMPLE.slice(end)}`;
  if (options !== '') text = text.replace(/^ {2}gpcObjectsTo:.*$/m, options);
  return text;
}

function errorsOf(text: string): string[] {
  try {
    loadPolicy(text);
    return [];
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map((x) => `${x.path}: ${x.message}`);
    throw e;
  }
}

describe('cmpCategories and gpcObjectsTo load-time checks', () => {
  it('the example policy loads, with the declarations compiled', () => {
    const policy = loadPolicy(EXAMPLE);
    const v1 = policy.forms.get('banner-v1');
    expect(v1?.cmpCategories.get('tcf')?.get('statistics')).toEqual(['1', '8', '9']);
    expect(v1?.choices.get('marketing')).toEqual(['cookie.marketing']);
    expect(policy.options.gpcObjectsTo).toEqual(['cookie.marketing', 'seg.web_behaviour']);
  });

  it.each([
    [
      '    cmpCategories:\n      cookiebot:\n        statistics: [necessary]\n',
      'consentForms.banner-v1.cmpCategories.cookiebot.statistics[0]: "necessary" is always on, so it is never consent (R6)',
    ],
    [
      '    cmpCategories:\n      onetrust:\n        statistics: [C0001]\n',
      'consentForms.banner-v1.cmpCategories.onetrust.statistics[0]: "C0001" is always on, so it is never consent (R6)',
    ],
    [
      "    cmpCategories:\n      tcf:\n        statistics: ['12']\n",
      'consentForms.banner-v1.cmpCategories.tcf.statistics[0]: "12" is not a tcf consent category',
    ],
    [
      '    cmpCategories:\n      consentMode:\n        videos: [ad_storage]\n',
      'consentForms.banner-v1.cmpCategories.consentMode.videos: "videos" is not one of the banner\'s choices',
    ],
    [
      '    cmpCategories:\n      cookiebot:\n        marketing: [marketing]\n        personalisation: [marketing]\n',
      'consentForms.banner-v1.cmpCategories.cookiebot.personalisation: needs the same cookiebot categories as "marketing", so the two cannot be chosen apart (R3)',
    ],
  ])('refuses %p', (block, message) => {
    expect(errorsOf(withCategories(block))).toContain(message);
  });

  it('refuses an unknown platform by path (schema)', () => {
    expect(
      errorsOf(withCategories('    cmpCategories:\n      quantcast:\n        statistics: [x]\n')).join('\n'),
    ).toContain('consentForms.banner-v1.cmpCategories');
  });

  it('refuses categories on a form that is not a cookie banner', () => {
    const text = EXAMPLE.replace(
      '    affirmativeActions: [order_placed]\n',
      '    affirmativeActions: [order_placed]\n    cmpCategories:\n      cookiebot:\n        statistics: [statistics]\n',
    );
    expect(errorsOf(text)).toContain(
      'consentForms.checkout-optout-v1.cmpCategories: only a cookie banner maps consent platform categories',
    );
  });

  it('gpcObjectsTo names declared, non-necessary purposes', () => {
    const block = EXAMPLE.slice(EXAMPLE.indexOf('    cmpCategories:'), EXAMPLE.indexOf('  banner-v2:'));
    expect(errorsOf(withCategories(block, '  gpcObjectsTo: [cookie.sale, necessary.cart]'))).toEqual([
      'options.gpcObjectsTo[0]: unknown purpose "cookie.sale"',
      'options.gpcObjectsTo[1]: "necessary.cart" is strictly necessary; an objection cannot apply to it (R6)',
    ]);
  });
});
