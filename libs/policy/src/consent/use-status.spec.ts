import { examplePolicy } from '../../test/rule-fixture.harness';
import type { Purpose } from '../policy-file/compiled-policy.types';
import { emptySubjectState, type SubjectState } from './consent-state.types';
import { useStatus } from './use-status';

const purpose = (key: string): Purpose => examplePolicy.purposes.get(key) as Purpose;
const web = purpose('seg.web_behaviour');
const cookie = purpose('cookie.marketing');
const needsCookie = [{ purpose: cookie, holder: 'device' as const }];
const T = Date.parse('2025-03-01T10:00:00Z');

function granted(...purposes: string[]): SubjectState {
  const s = emptySubjectState();
  s.purposes = {};
  for (const p of purposes)
    s.purposes[p] = {
      since: T - 1000,
      renewedAt: T - 1000,
      evidenceId: `ev-${p}`,
      form: 'banner-v1',
      source: 'cookie-banner',
    };
  return s;
}

describe('a use that needs several consents (§1)', () => {
  it('holds when the person and the device each hold theirs', () => {
    const s = useStatus(
      examplePolicy,
      { person: granted('seg.web_behaviour'), device: granted('cookie.marketing') },
      web,
      needsCookie,
      T,
    );
    expect({ ok: s.ok, rule: s.rule, decidedBy: s.decidedBy.key }).toEqual({
      ok: true,
      rule: 'R2',
      decidedBy: web.key,
    });
  });

  it('cites the device consent that is missing, by its own rule', () => {
    const device = granted();
    device.withdrawn = { 'cookie.marketing': { at: T - 10, evidenceId: 'ev-reject' } };
    const s = useStatus(examplePolicy, { person: granted('seg.web_behaviour'), device }, web, needsCookie, T);
    expect({
      ok: s.ok,
      reason: s.reason,
      rule: s.rule,
      evidenceId: s.evidenceId,
      decidedBy: s.decidedBy.key,
    }).toEqual({
      ok: false,
      reason: 'consent-withdrawn',
      rule: 'R18',
      evidenceId: 'ev-reject',
      decidedBy: 'cookie.marketing',
    });
  });

  it('refuses a device consent older than the maximum age (R8)', () => {
    const later = T + 400 * 86_400_000;
    const s = useStatus(
      examplePolicy,
      { person: granted('seg.web_behaviour'), device: granted('cookie.marketing') },
      web,
      needsCookie,
      later,
    );
    expect({ rule: s.rule, decidedBy: s.decidedBy.key }).toEqual({
      rule: 'R8',
      decidedBy: 'seg.web_behaviour',
    });
  });

  it('refuses under R21 when the device consents but the person does not', () => {
    const s = useStatus(
      examplePolicy,
      { person: granted(), device: granted('cookie.marketing') },
      web,
      needsCookie,
      T,
    );
    expect({ ok: s.ok, reason: s.reason, rule: s.rule }).toEqual({
      ok: false,
      reason: 'no-consent',
      rule: 'R21',
    });
  });

  it('refuses with R4 when neither consents, and when the event names no device', () => {
    expect(useStatus(examplePolicy, { person: granted(), device: granted() }, web, needsCookie, T).rule).toBe(
      'R4',
    );
    const none = useStatus(
      examplePolicy,
      { person: granted('seg.web_behaviour'), device: null },
      web,
      needsCookie,
      T,
    );
    expect({ ok: none.ok, rule: none.rule, decidedBy: none.decidedBy.key }).toEqual({
      ok: false,
      rule: 'R4',
      decidedBy: 'cookie.marketing',
    });
  });

  it("prefers a refused device consent over the person's bare absence of consent", () => {
    const device = granted();
    device.refused = { 'cookie.marketing': { evidenceId: 'ev-x', rule: 'R1', reason: 'not affirmative' } };
    const s = useStatus(examplePolicy, { person: granted(), device }, web, needsCookie, T);
    expect({ reason: s.reason, rule: s.rule, decidedBy: s.decidedBy.key }).toEqual({
      reason: 'consent-invalid',
      rule: 'R1',
      decidedBy: 'cookie.marketing',
    });
  });
});
