import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, type CompiledPolicy } from '@app/policy';
import type { ConsentEvidence } from '@app/contracts/consent-evidence.contract';
import type { AdapterResult } from '../src/adapter.types';
import { adaptConsentMode, adaptCookiebot, adaptGpc, adaptOneTrust, adaptOwnBanner, adaptTcf } from '../src';
import {
  captureContext,
  evidenceOf,
  examplePolicy,
  fixture,
  RECEIVED_AT,
  TCF_CONFIG,
} from '../fixtures/fixture-kit';

/**
 * End to end through the decision core: each adapter's evidence, as the consent service would
 * publish it, folded by the same processor the engine and `govern dry-run` run.
 */
const policy: CompiledPolicy = examplePolicy();
const SUBJECT = 'cookie-7f3a9c';

function evidenceEvent(e: ConsentEvidence, id: string, time = RECEIVED_AT): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'consent-service',
    type: 'consent.evidence',
    time,
    subject: SUBJECT,
    data: e,
  };
}

/** The purposes the subject holds after folding the adapters' evidence in order. */
function heldAfter(results: readonly AdapterResult[]): { held: string[]; processor: GovernanceProcessor } {
  const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  let held: string[] = [];
  results.forEach((r, i) => {
    const out = processor.process(evidenceEvent(evidenceOf(r), `ce-${i}`));
    expect(out.outcome).toBe('consent');
    const state = out.stateChanges.find((s) => s.subjectKey === SUBJECT)?.state;
    if (state !== undefined) held = Object.keys(state.purposes).sort();
  });
  return { held, processor };
}

const own = fixture<Record<string, unknown>>('own-banner.json');
const tc = fixture<Record<string, string>>('tc-strings.json');
const gcm = fixture<Record<string, unknown>>('consent-mode.json');
const bot = fixture<Record<string, string>>('cookiebot.json');
const ot = fixture<Record<string, unknown>>('onetrust.json');
const ctx = captureContext();
const ownCtx = captureContext({ banner: undefined });

describe('adapter evidence folded by the core grants exactly the expected purposes', () => {
  it.each<[string, () => AdapterResult, string[]]>([
    [
      'own banner: accept all',
      () => adaptOwnBanner(policy, own.acceptAllV1, ownCtx),
      ['cookie.statistics', 'seg.web_behaviour'],
    ],
    [
      'own banner: layer-2 choices',
      () => adaptOwnBanner(policy, own.saveChoicesLayer2, ownCtx),
      ['cookie.marketing', 'cookie.statistics'],
    ],
    ['own banner: reject all', () => adaptOwnBanner(policy, own.rejectAll, ownCtx), []],
    ['own banner: dismissed', () => adaptOwnBanner(policy, own.dismissed, ownCtx), []],
    ['own banner: pre-ticked', () => adaptOwnBanner(policy, own.preTicked, ownCtx), []],
    ['own banner: non-granular v2', () => adaptOwnBanner(policy, own.nonGranularV2, ownCtx), []],
    [
      'TCF: accept all',
      () => adaptTcf(policy, tc.acceptAll, ctx, TCF_CONFIG),
      ['cookie.statistics', 'seg.web_behaviour'],
    ],
    ['TCF: statistics', () => adaptTcf(policy, tc.statisticsOnly, ctx, TCF_CONFIG), ['cookie.statistics']],
    ['TCF: legitimate interest only', () => adaptTcf(policy, tc.legitimateInterestOnly, ctx, TCF_CONFIG), []],
    [
      'Consent Mode: all granted',
      () => adaptConsentMode(policy, gcm.updateAll, ctx),
      ['cookie.statistics', 'seg.web_behaviour'],
    ],
    ['Consent Mode: default', () => adaptConsentMode(policy, gcm.defaultGranted, ctx), []],
    ['Cookiebot: explicit all', () => adaptCookiebot(policy, bot.explicitAll, ctx), ['cookie.statistics']],
    ['Cookiebot: implied', () => adaptCookiebot(policy, bot.implied, ctx), []],
    ['Cookiebot: no response', () => adaptCookiebot(policy, null, ctx), []],
    [
      'OneTrust: opt-in all',
      () => adaptOneTrust(policy, ot.optInAll, ctx),
      ['cookie.statistics', 'seg.web_behaviour'],
    ],
    [
      'OneTrust: closed without interaction',
      () => adaptOneTrust(policy, ot.closedWithoutInteraction, ctx),
      [],
    ],
    ['OneTrust: implied consent model', () => adaptOneTrust(policy, ot.impliedModel, ctx), []],
    ['OneTrust: never closed', () => adaptOneTrust(policy, ot.neverClosed, ctx), []],
  ])('%s', (_name, adapt, expected) => {
    expect(heldAfter([adapt()]).held).toEqual(expected);
  });

  it('a refusal on another platform ends the earlier banner grants (R6, R18)', () => {
    const { held } = heldAfter([
      adaptTcf(policy, tc.acceptAll, ctx, TCF_CONFIG),
      adaptOneTrust(policy, ot.rejectAll, captureContext({ evidenceId: 'ev-2' })),
    ]);
    expect(held).toEqual([]);
  });

  it('an implied signal after a valid choice leaves the choice in place (it is no choice at all)', () => {
    const { held } = heldAfter([
      adaptCookiebot(policy, bot.explicitStatistics, ctx),
      adaptCookiebot(policy, bot.implied, captureContext({ evidenceId: 'ev-2' })),
    ]);
    expect(held).toEqual(['cookie.statistics']);
  });

  it('GPC withdraws the sale and sharing purposes and nothing else', () => {
    const { held } = heldAfter([
      adaptOwnBanner(
        policy,
        {
          ...(own.saveChoicesLayer2 as object),
          choices: { statistics: true, personalisation: true, marketing: true },
        },
        ownCtx,
      ),
      adaptGpc(policy, '1', captureContext({ evidenceId: 'ev-gpc' })),
    ]);
    expect(held).toEqual(['cookie.statistics']);
  });

  it('a page view reaches segmentation only with the device consents the adapters recorded', () => {
    const pageView = (id: string): Record<string, unknown> => ({
      specversion: '1.0',
      id,
      source: 'web',
      type: 'page.viewed',
      time: '2026-12-05T04:05:00Z',
      subject: SUBJECT,
      data: { page: { url: 'https://www.nordlys-loeb.dk/sko', category: 'running_shoes' } },
    });
    const toSegmentation = (p: GovernanceProcessor, id: string): number =>
      p
        .process(pageView(id))
        .records.filter((r) => r.destination === 'segmentation' && !('suppress' in r.value)).length;
    // OneTrust grants personalisation but not marketing cookies: the device gate (G1) holds it back.
    const { processor: withoutMarketing } = heldAfter([adaptOneTrust(policy, ot.optInAll, ctx)]);
    expect(toSegmentation(withoutMarketing, 'pv-1')).toBe(0);
    const { processor: withMarketing } = heldAfter([
      adaptOwnBanner(
        policy,
        { ...(own.saveChoicesLayer2 as object), choices: { personalisation: true, marketing: true } },
        ownCtx,
      ),
    ]);
    expect(toSegmentation(withMarketing, 'pv-2')).toBe(1);
  });
});
