import { assessEvidence } from '@app/policy';
import { adaptTcf } from './tcf.adapter';
import { buildTcStrings } from '../fixtures/tc-strings.build';
import {
  captureContext,
  evidenceOf,
  examplePolicy,
  fixture,
  refusalOf,
  RECEIVED_AT,
  TCF_CONFIG,
} from '../fixtures/fixture-kit';

const policy = examplePolicy();
const strings = fixture<Record<string, string>>('tc-strings.json');
const adapt = (name: string): ReturnType<typeof adaptTcf> =>
  adaptTcf(policy, strings[name], captureContext(), TCF_CONFIG);

describe('TCF v2.2 adapter', () => {
  it('the committed fixtures are what the fixture builder makes with the IAB encoder', () => {
    expect(buildTcStrings()).toEqual(strings);
  });

  it('maps purpose consents 1, 8 and 9 to statistics, timed by the receive time, not the string', () => {
    const result = adapt('statisticsOnly');
    const e = evidenceOf(result);
    expect(e).toMatchObject({
      kind: 'cookie-banner',
      timestamp: RECEIVED_AT,
      cmp: 'tcf:10/7',
      formVersion: 'banner-v1',
      language: 'da',
      action: 'save_choices',
      uiLayer: 1,
      purposes: ['cookie.statistics'],
    });
    expect(result.tcf).toMatchObject({
      cmpId: 10,
      cmpVersion: 7,
      policyVersion: 4,
      consentScreen: 1,
      lastUpdatedDay: '2026-12-04',
      purposeConsents: [1, 8, 9],
      purposeLegitimateInterests: [7],
      vendorConsents: [1126],
    });
  });

  it('decodes vendor consents and publisher restrictions for the ledger', () => {
    const result = adapt('acceptAll');
    expect(result.tcf?.vendorConsents).toEqual([28, 755, 1126]);
    expect(result.tcf?.publisherRestrictions).toEqual([{ purpose: 7, type: 1, vendors: [755] }]);
  });

  it('grants only what the first layer shows: marketing is left out on banner-v1 (R2)', () => {
    const result = adapt('acceptAll');
    expect(evidenceOf(result).purposes).toEqual(['cookie.statistics', 'seg.web_behaviour']);
    expect(result.ok && result.leftOut).toEqual(['marketing']);
  });

  it('legitimate interests never grant a consent purpose', () => {
    const e = evidenceOf(adapt('legitimateInterestOnly'));
    expect(e.purposes).toEqual([]);
    expect(assessEvidence(policy, e)).toMatchObject({ valid: true, rule: 'R6', effect: { granted: [] } });
  });

  it('without purpose 1 (device access) no cookie choice counts', () => {
    expect(evidenceOf(adapt('noStorageConsent')).purposes).toEqual([]);
  });

  it.each([
    ['unregisteredCmp', 'unregistered-cmp'],
    ['oldPolicyVersion', 'outdated-policy-version'],
    ['notServiceSpecific', 'not-service-specific'],
    ['stale', 'expired'],
  ])('refuses %s (%s)', (name, code) => {
    expect(refusalOf(adapt(name))).toBe(code);
  });

  it('refuses a string made under a newer policy than configured', () => {
    expect(
      refusalOf(
        adaptTcf(policy, strings.statisticsOnly, captureContext(), { ...TCF_CONFIG, gvlPolicyVersion: 3 }),
      ),
    ).toBe('outdated-policy-version');
  });

  it('refuses without a registered cookie banner or its TCF mapping', () => {
    const noBanner = captureContext({ banner: { formVersion: 'newsletter-v3', textVersion: 't' } });
    expect(refusalOf(adaptTcf(policy, strings.statisticsOnly, noBanner, TCF_CONFIG))).toBe('unknown-form');
    const v2 = captureContext({ banner: { formVersion: 'banner-v2', textVersion: 't' } });
    expect(refusalOf(adaptTcf(policy, strings.statisticsOnly, v2, TCF_CONFIG))).toBe('no-cmp-mapping');
  });
});
