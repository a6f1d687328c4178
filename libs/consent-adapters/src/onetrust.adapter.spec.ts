import { assessEvidence } from '@app/policy';
import { adaptOneTrust } from './onetrust.adapter';
import { captureContext, evidenceOf, examplePolicy, fixture } from '../fixtures/fixture-kit';

const policy = examplePolicy();
const payloads = fixture<Record<string, unknown>>('onetrust.json');
const adapt = (name: string): ReturnType<typeof adaptOneTrust> =>
  adaptOneTrust(policy, payloads[name], captureContext());

describe('OneTrust adapter', () => {
  it('maps C0002 to statistics under an opt-in model after an interaction', () => {
    const e = evidenceOf(adapt('optInStatistics'));
    expect(e).toMatchObject({
      cmp: 'onetrust/202409.1.0',
      purposes: ['cookie.statistics'],
      action: 'save_choices',
      cmpSignal: { consentModel: 'opt-in', interactionCount: 1 },
    });
    expect(assessEvidence(policy, e)).toMatchObject({
      valid: true,
      effect: { granted: ['cookie.statistics'] },
    });
  });

  it('personalisation needs C0004 and C0005 together; marketing is left out of layer 1 (R2)', () => {
    const result = adapt('optInAll');
    expect(evidenceOf(result).purposes).toEqual(['cookie.statistics', 'seg.web_behaviour']);
    expect(result.ok && result.leftOut).toEqual(['preferences', 'marketing']);
  });

  it.each([
    ['closedWithoutInteraction', 'R5'],
    ['impliedModel', 'R5'],
    ['neverClosed', 'R5'],
  ])('%s grants nothing (%s)', (name, rule) => {
    const a = assessEvidence(policy, evidenceOf(adapt(name)));
    expect(a).toMatchObject({ valid: false, rule });
  });

  it('C0001 alone is a refusal, never consent (R6)', () => {
    const e = evidenceOf(adapt('rejectAll'));
    expect(e).toMatchObject({ purposes: [], action: 'necessary_only' });
    expect(assessEvidence(policy, e)).toMatchObject({ valid: true, rule: 'R6', effect: { granted: [] } });
  });

  it('a missing consent model is not opt-in (R5)', () => {
    const payload = { ...(payloads.optInStatistics as object), consentModel: undefined };
    const { consentModel: _dropped, ...rest } = payload as { consentModel?: string };
    expect(adaptOneTrust(policy, rest, captureContext())).toMatchObject({
      ok: false,
      refusal: { code: 'malformed' },
    });
  });
});
