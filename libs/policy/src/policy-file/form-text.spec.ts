import { createHash } from 'node:crypto';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';
import { loadPolicy } from './policy-file.loader';
import { PolicyLoadError } from './policy-error';

function errorsOf(text: string): string[] {
  try {
    loadPolicy(text, { fileName: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map((x) => `${x.path}: ${x.message}`);
    throw e;
  }
  return [];
}

describe('consent text and how to withdraw, per form version', () => {
  const policy = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'example.yaml' });

  it('compiles a declared text with its sha256 hash, and null where none is declared', () => {
    const banner = policy.forms.get('banner-v1')!;
    expect(banner.text).toContain('Vi bruger cookies');
    const hex = createHash('sha256').update(banner.text!, 'utf8').digest('hex');
    expect(banner.textHash).toBe(`sha256:${hex}`);
    expect(banner.howToWithdraw).toContain('Cookie-indstillinger');
    expect(policy.forms.get('banner-v2')).toMatchObject({ text: null, textHash: null, howToWithdraw: null });
  });

  it('refuses an empty text, an oversized one and a non-string, by path', () => {
    const withText = (value: string): string =>
      EXAMPLE_POLICY_TEXT.replace('  banner-v2:\n', `  banner-v2:\n    text: ${value}\n`);
    expect(errorsOf(withText("''"))).toEqual([
      expect.stringMatching(/^consentForms\.banner-v2\.text: .*(fewer|short|1 char)/),
    ]);
    expect(errorsOf(withText(`'${'x'.repeat(65_537)}'`))).toEqual([
      expect.stringMatching(/^consentForms\.banner-v2\.text: /),
    ]);
    expect(errorsOf(withText('[1, 2]'))).toEqual([expect.stringMatching(/^consentForms\.banner-v2\.text: /)]);
  });
});
