import { assessEvidence } from '@app/policy';
import { adaptOwnBanner } from './own-banner.adapter';
import {
  captureContext,
  evidenceOf,
  examplePolicy,
  fixture,
  refusalOf,
  RECEIVED_AT,
} from '../fixtures/fixture-kit';

const policy = examplePolicy();
const payloads = fixture<Record<string, unknown>>('own-banner.json');
const adapt = (name: string): ReturnType<typeof adaptOwnBanner> =>
  adaptOwnBanner(policy, payloads[name], captureContext({ banner: undefined }));

describe('own banner adapter', () => {
  it('records the banner version, text, action, layer and chosen purposes at the receive time', () => {
    const e = evidenceOf(adapt('saveChoicesLayer2'));
    expect(e).toMatchObject({
      kind: 'cookie-banner',
      subject: { key: 'cookie-7f3a9c' },
      timestamp: RECEIVED_AT,
      cmp: 'own-banner',
      formVersion: 'banner-v1',
      textVersion: 'sha256:5b0f2c1e9a7d3b4c',
      action: 'save_choices',
      uiLayer: 2,
      language: 'da',
      purposes: ['cookie.marketing', 'cookie.statistics'],
      sourceChannel: 'web',
    });
    expect(assessEvidence(policy, e)).toMatchObject({ valid: true, rule: 'R1' });
  });

  it('leaves "accept all" to the core, which grants the first layer only (R2)', () => {
    const a = assessEvidence(policy, evidenceOf(adapt('acceptAllV1')));
    expect(a.effect).toMatchObject({
      type: 'cookie-choice',
      granted: ['cookie.statistics', 'seg.web_behaviour'],
    });
  });

  it.each([
    ['dismissed', 'R1'],
    ['preTicked', 'R1'],
    ['nonGranularV2', 'R3'],
  ])('%s is evidence the core refuses under %s', (name, rule) => {
    expect(assessEvidence(policy, evidenceOf(adapt(name)))).toMatchObject({ valid: false, rule });
  });

  it('records "reject all" as a refusal the core honours (R6)', () => {
    const a = assessEvidence(policy, evidenceOf(adapt('rejectAll')));
    expect(a).toMatchObject({ valid: true, rule: 'R6', effect: { granted: [] } });
  });

  it('refuses a choice the banner version does not have, by path and without the key', () => {
    const result = adaptOwnBanner(
      policy,
      { ...(payloads.saveChoicesLayer2 as object), choices: { 'secret-choice-name': true } },
      captureContext(),
    );
    expect(refusalOf(result)).toBe('unknown-form');
    expect(JSON.stringify(result)).not.toContain('secret-choice-name');
  });
});
