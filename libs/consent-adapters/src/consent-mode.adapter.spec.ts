import { assessEvidence } from '@app/policy';
import { adaptConsentMode } from './consent-mode.adapter';
import { captureContext, evidenceOf, examplePolicy, fixture } from '../fixtures/fixture-kit';

const policy = examplePolicy();
const commands = fixture<Record<string, unknown>>('consent-mode.json');
const adapt = (name: string): ReturnType<typeof adaptConsentMode> =>
  adaptConsentMode(policy, commands[name], captureContext());

describe('Google Consent Mode v2 adapter', () => {
  it('maps analytics_storage to statistics', () => {
    expect(evidenceOf(adapt('updateStatistics'))).toMatchObject({
      cmp: 'google-consent-mode-v2',
      purposes: ['cookie.statistics'],
      action: 'save_choices',
    });
  });

  it('personalisation needs ad_storage and ad_personalization; marketing is not on layer 1 (R2)', () => {
    const result = adapt('updateAll');
    expect(evidenceOf(result).purposes).toEqual(['cookie.statistics', 'seg.web_behaviour']);
    expect(result.ok && result.leftOut).toEqual(['marketing']);
  });

  it('ad_storage alone grants neither marketing nor personalisation', () => {
    expect(evidenceOf(adapt('adStorageWithoutUserData')).purposes).toEqual([]);
  });

  it('all denied is a refusal (R6)', () => {
    expect(assessEvidence(policy, evidenceOf(adapt('updateDenied')))).toMatchObject({
      valid: true,
      rule: 'R6',
    });
  });

  it('a default command is the site setting, not a choice: grants nothing (R1)', () => {
    const e = evidenceOf(adapt('defaultGranted'));
    expect(e.action).toBe('cmp_default');
    expect(assessEvidence(policy, e)).toMatchObject({ valid: false, rule: 'R1' });
  });
});
