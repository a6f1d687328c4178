import fc from 'fast-check';
import { assessEvidence, type CompiledPolicy } from '@app/policy';
import type { AdapterResult, CaptureContext } from './adapter.types';
import { adaptConsentMode } from './consent-mode.adapter';
import { adaptCookiebot } from './cookiebot.adapter';
import { adaptGpc } from './gpc.adapter';
import { adaptOneTrust } from './onetrust.adapter';
import { adaptOwnBanner } from './own-banner.adapter';
import { adaptTcf } from './tcf.adapter';
import { captureContext, evidenceOf, examplePolicy, fixture, TCF_CONFIG } from '../fixtures/fixture-kit';

const policy = examplePolicy();
type Adapter = (p: CompiledPolicy, payload: unknown, c: CaptureContext) => AdapterResult;
const ADAPTERS: Readonly<Record<string, Adapter>> = {
  ownBanner: adaptOwnBanner,
  tcf: (p, payload, c) => adaptTcf(p, payload, c, TCF_CONFIG),
  consentMode: adaptConsentMode,
  cookiebot: adaptCookiebot,
  onetrust: adaptOneTrust,
  gpc: adaptGpc,
};

/** The purposes the core grants when it folds the adapter's evidence; none for a refusal. */
function granted(result: AdapterResult): readonly string[] {
  if (!result.ok) return [];
  const a = assessEvidence(policy, evidenceOf(result));
  return a.valid && a.effect.type === 'cookie-choice' ? a.effect.granted : [];
}

interface HostileCase {
  readonly name: string;
  readonly adapter: string;
  readonly payload: unknown;
  readonly code: string;
}

describe('hostile inputs', () => {
  const cases = fixture<HostileCase[]>('hostile.json');

  it.each(cases.map((c) => [c.name, c]))('%s is refused with its code, naming no input value', (_n, c) => {
    const result = ADAPTERS[c.adapter](policy, c.payload, captureContext());
    expect(result).toMatchObject({ ok: false, refusal: { code: c.code } });
    if (!result.ok && typeof c.payload === 'string' && c.payload.length > 3)
      expect(JSON.stringify(result.refusal)).not.toContain(c.payload.slice(0, 12));
  });

  it('a truncated TC string is refused unless only padding or optional segments were cut', () => {
    const full = fixture<Record<string, string>>('tc-strings.json').acceptAll;
    const whole = adaptTcf(policy, full, captureContext(), TCF_CONFIG);
    for (let n = 0; n < full.length; n += 1) {
      const result = adaptTcf(policy, full.slice(0, n), captureContext(), TCF_CONFIG);
      // Base64url zero padding and the optional segments carry no choice: the same string is read.
      if (result.ok) {
        expect(result.tcf?.purposeConsents).toEqual(whole.tcf?.purposeConsents);
        expect(result.evidence.purposes).toEqual(whole.ok ? whole.evidence.purposes : []);
      } else expect(['malformed', 'undecodable']).toContain(result.refusal.code);
    }
  });
});

describe('property: adapters never throw and never grant on malformed input', () => {
  const names = Object.keys(ADAPTERS);

  it('for any JSON-like value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.anything(), (name, payload) => {
        const result = ADAPTERS[name](policy, payload, captureContext());
        expect(granted(result)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('for strings shaped like the platforms’ own (base64url, object literals, query strings)', () => {
    const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}(\.[A-Za-z0-9_-]{0,20})?$/);
    const literal = fc
      .array(
        fc.tuple(
          fc.constantFrom('necessary', 'preferences', 'statistics', 'marketing', 'method', 'ver', 'utc', 'x'),
          fc.constantFrom('true', 'false', "'explicit'", "'implied'", '1', "'", '', 'true,'),
        ),
        { maxLength: 8 },
      )
      .map((kv) => `{${kv.map(([k, v]) => `${k}:${v}`).join(',')}}`);
    fc.assert(
      fc.property(base64url, literal, fc.string(), (tc, cookie, junk) => {
        for (const payload of [tc, junk]) {
          const result = adaptTcf(policy, payload, captureContext(), TCF_CONFIG);
          expect(result.ok ? 'decoded' : result.refusal.code).not.toBe(undefined);
          if (result.ok) expect(result.tcf?.cmpId).toBe(10);
        }
        const bot = adaptCookiebot(policy, cookie, captureContext());
        // A well-formed literal may grant; one missing a category or method never does.
        if (!/statistics:(true|false)\b/.test(cookie) || !/method:'/.test(cookie))
          expect(granted(bot)).toEqual([]);
        expect(
          granted(
            adaptOneTrust(
              policy,
              { optanonConsent: junk, alertBoxClosed: null, consentModel: 'opt-in' },
              captureContext(),
            ),
          ),
        ).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
