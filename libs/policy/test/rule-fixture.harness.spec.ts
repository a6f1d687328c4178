import { parseRuleCases } from './rule-fixture.harness';

/** A valid case, with `extra` lines added where the test says. */
function caseText(extra: { top?: string; policy?: string; consent?: string; expect?: string } = {}): string {
  return [
    '- name: R2 accept-all grants the first layer',
    ...(extra.top === undefined ? [] : [`  ${extra.top}`]),
    '  policy:',
    "    - replace: 'a'",
    "      with: 'b'",
    ...(extra.policy === undefined ? [] : [`      ${extra.policy}`]),
    '  steps:',
    '    - consent:',
    '        id: c1',
    '        subject: cookie-1',
    "        time: '2025-03-01T10:00:00Z'",
    '        kind: cookie-banner',
    ...(extra.consent === undefined ? [] : [`        ${extra.consent}`]),
    '  expect:',
    '    - event: c1',
    '      valid: true',
    ...(extra.expect === undefined ? [] : [`      ${extra.expect}`]),
    '',
  ].join('\n');
}

describe('rule case files', () => {
  it('accept a case with known keys only', () => {
    const [c] = parseRuleCases('rules/example.yaml', caseText());
    expect(c?.name).toBe('R2 accept-all grants the first layer');
    expect(c?.expect).toEqual([{ event: 'c1', valid: true }]);
  });

  it.each([
    ['expectation', { expect: 'mayContac: false' }, 'unknown key "mayContac" in expect[0]'],
    ['case', { top: 'expects: []' }, 'unknown key "expects"'],
    ['policy replacement', { policy: 'width: c' }, 'unknown key "width" in policy[0]'],
    ['step', { consent: 'purpose: [x]' }, 'unknown key "purpose" in steps[0].consent'],
  ])('reject an unknown key in a %s, naming the file, the case and the key', (_where, extra, message) => {
    expect(() => parseRuleCases('/any/dir/rules/example.yaml', caseText(extra))).toThrow(
      `example.yaml: case "R2 accept-all grants the first layer": ${message}`,
    );
  });
});
