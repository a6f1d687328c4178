import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import { type CompiledPolicy, type ConsentForm, loadPolicy } from '@app/policy';
import {
  adaptPlatform,
  type BannerChoiceLine,
  decidedAlike,
  PLATFORM_ROUTES,
  platformSignal,
} from './cmp-routes';

const policy: CompiledPolicy = loadPolicy(
  readFileSync(join(__dirname, '../../policies/example.yaml'), 'utf8'),
  { fileName: 'example.yaml' },
);
const AT = Date.parse('2026-11-20T10:15:00.000Z');
const bannerV1 = policy.forms.get('banner-v1') as ConsentForm;

const context = {
  evidenceId: 'ev-route-1',
  subjectKey: 'device-0001',
  receivedAt: new Date(AT).toISOString(),
  sourceChannel: 'web',
  banner: { formVersion: 'banner-v1', textVersion: 'sha256:text', language: 'da' },
};

function choice(purposes: readonly string[], form: ConsentForm = bannerV1): BannerChoiceLine {
  return { form, purposes: new Set(purposes), atMs: AT };
}

/** A sample line's banner evidence, as the sample generator writes it. */
function original(action: string, uiLayer: number, purposes: readonly string[]): ConsentEvidence {
  return {
    evidenceId: 'ev-sample-1',
    kind: 'cookie-banner',
    subject: { key: 'device-0001' },
    timestamp: new Date(AT).toISOString(),
    cmp: 'own-banner',
    formVersion: 'banner-v1',
    textVersion: 'sha256:text',
    action,
    uiLayer,
    language: 'da',
    purposes: [...purposes],
    sourceChannel: 'web',
  };
}

const FIRST_LAYER_CHOICES: readonly (readonly string[])[] = [
  [],
  ['cookie.statistics'],
  ['seg.web_behaviour'],
  ['cookie.statistics', 'seg.web_behaviour'],
];

describe('banner choices through each consent platform', () => {
  describe.each(PLATFORM_ROUTES)('%s', (route) => {
    it.each(FIRST_LAYER_CHOICES.map((p) => [p.join(', ') || 'nothing', p]))(
      'encodes a first-layer choice of %s; its adapter decodes the same purposes when it can express them',
      (_name, purposes) => {
        const result = adaptPlatform(policy, route, platformSignal(route, choice(purposes)), context);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        // Cookiebot has no category for personalised offers: it cannot express that choice.
        const expressible = route !== 'cookiebot' || !purposes.includes('seg.web_behaviour');
        const expected = expressible ? purposes : purposes.filter((p) => p !== 'seg.web_behaviour');
        expect(result.evidence.purposes).toEqual([...expected].sort());
        expect(result.evidence.language).toBe('da');
        const action = purposes.length === 0 ? 'reject_all' : 'save_choices';
        expect(decidedAlike(policy, original(action, 1, purposes), result)).toBe(expressible);
      },
    );

    it('cannot express a second-layer choice, so that line stays on our own banner', () => {
      const purposes = ['cookie.statistics', 'cookie.marketing'];
      const result = adaptPlatform(policy, route, platformSignal(route, choice(purposes)), context);
      expect(result.ok && result.evidence.purposes).toEqual(['cookie.statistics']);
      expect(decidedAlike(policy, original('save_choices', 2, purposes), result)).toBe(false);
    });

    it('reads accept-all (R2) differently from a choice, so that line stays on our own banner', () => {
      const purposes = ['cookie.statistics', 'seg.web_behaviour'];
      const result = adaptPlatform(policy, route, platformSignal(route, choice(purposes)), context);
      expect(decidedAlike(policy, original('accept_all', 1, purposes), result)).toBe(false);
    });
  });

  it('has no signal for a banner that declares no categories for the platform', () => {
    const bannerV2 = policy.forms.get('banner-v2') as ConsentForm;
    expect(bannerV2.cmpCategories.size).toBe(0);
    for (const route of PLATFORM_ROUTES)
      expect(platformSignal(route, choice(['cookie.preferences'], bannerV2))).toBeNull();
  });

  it('refuses a language the TC string cannot carry as the original had it', () => {
    const purposes = ['cookie.statistics'];
    const result = adaptPlatform(policy, 'tcf', platformSignal('tcf', choice(purposes)), context);
    const english = { ...original('save_choices', 1, purposes), language: 'en' };
    expect(decidedAlike(policy, english, result)).toBe(false);
  });
});
