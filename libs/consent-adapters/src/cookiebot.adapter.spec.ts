import { assessEvidence } from '@app/policy';
import { adaptCookiebot } from './cookiebot.adapter';
import { parseCookiebotCookie } from './cookiebot-cookie';
import { captureContext, evidenceOf, examplePolicy, fixture, refusalOf } from '../fixtures/fixture-kit';

const policy = examplePolicy();
const cookies = fixture<Record<string, string>>('cookiebot.json');
const adapt = (payload: unknown): ReturnType<typeof adaptCookiebot> =>
  adaptCookiebot(policy, payload, captureContext());

describe('Cookiebot adapter', () => {
  it('parses the URL-encoded CookieConsent literal', () => {
    const parsed = parseCookiebotCookie(cookies.explicitStatistics);
    expect(parsed?.get('statistics')).toBe(true);
    expect(parsed?.get('method')).toBe('explicit');
    expect(parsed?.get('ver')).toBe(3);
  });

  it('maps an explicit statistics choice, with the CMP signal for R5', () => {
    const e = evidenceOf(adapt(cookies.explicitStatistics));
    expect(e).toMatchObject({
      cmp: 'cookiebot/ver-3',
      purposes: ['cookie.statistics'],
      action: 'save_choices',
      cmpSignal: { hasResponse: true, method: 'explicit' },
    });
    expect(assessEvidence(policy, e)).toMatchObject({
      valid: true,
      effect: { granted: ['cookie.statistics'] },
    });
  });

  it('marketing is on banner-v1 only in layer 2: left out (R2); Cookiebot has no personalisation category', () => {
    const result = adapt(cookies.explicitAll);
    expect(evidenceOf(result).purposes).toEqual(['cookie.statistics']);
    expect(result.ok && result.leftOut).toEqual(['preferences', 'marketing']);
  });

  it('method implied is evidence the core refuses under R5', () => {
    const e = evidenceOf(adapt(cookies.implied));
    expect(e.cmpSignal?.method).toBe('implied');
    expect(assessEvidence(policy, e)).toMatchObject({ valid: false, rule: 'R5' });
  });

  it.each([null, '', '-1'])('no response (%p) grants nothing (R5)', (payload) => {
    const e = evidenceOf(adapt(payload));
    expect(e).toMatchObject({ purposes: [], action: 'cmp_default', cmpSignal: { hasResponse: false } });
    expect(assessEvidence(policy, e)).toMatchObject({ valid: false, rule: 'R5' });
  });

  it('necessary only is a refusal the core honours (R6)', () => {
    const e = evidenceOf(adapt(cookies.necessaryOnly));
    expect(e).toMatchObject({ purposes: [], action: 'necessary_only' });
    expect(assessEvidence(policy, e)).toMatchObject({ valid: true, rule: 'R6' });
  });

  it('refuses a consent older than the maximum age, whatever its receive time (R8)', () => {
    expect(refusalOf(adapt(cookies.stale))).toBe('expired');
  });
});
