import fc from 'fast-check';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, type SubjectState } from '@app/policy';
import { evidenceEvent, SUBJECT } from './hostile.harness';
import { examplePolicy } from './rule-fixture.harness';

/**
 * Every generated value carries this marker; it must never reach a reason or lineage record.
 * Evidence ids (`evidenceId`, `confirms`) are left out: lineage names them by design (R27).
 */
const MARK = 'XMARK';
const FIELDS = [
  'kind',
  'subject',
  'timestamp',
  'cmp',
  'formVersion',
  'textVersion',
  'action',
  'uiLayer',
  'language',
  'purposes',
  'scopes',
  'sourceChannel',
  'cmpSignal',
  'optOutOffered',
  'optOutUsed',
  'sale',
  'withdrawal',
  'url',
  `${MARK}-key`,
];
const KINDS = [
  'cookie-banner',
  'marketing-consent',
  'double-opt-in-confirmation',
  'soft-opt-in-notice',
  'withdrawal',
  'objection',
];

/** Marked strings, mistyped scalars and nested junk, some of it large. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }).map((s) => `${MARK}${s}`),
    fc.constantFrom(null, true, false, 0, -1, 1.5, 'true', 'false', '0', '', 'all'),
    fc.integer({ min: 300, max: 3000 }).map((n) => MARK.repeat(Math.ceil(n / 5))),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(...FIELDS, 'all', 'purposes', 'marketing', 'brands', 'completed'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** A valid evidence event of some kind with some fields replaced by hostile values. */
const hostileEvidence = fc.record({
  kind: fc.constantFrom(...KINDS),
  changes: fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { minKeys: 1, maxKeys: 4 }),
});

function build(kind: string, changes: Record<string, unknown>): Record<string, unknown> {
  const event = evidenceEvent('h1', kind, '2025-03-02T10:00:00Z', { purposes: ['cookie.statistics'] });
  Object.assign(event.data as Record<string, unknown>, changes);
  return event;
}

describe('hostile properties', () => {
  it('never throws, never grants on evidence that fails the contract, never echoes input', () => {
    fc.assert(
      fc.property(hostileEvidence, fc.boolean(), ({ kind, changes }, asText) => {
        const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
        const event = build(kind, changes);
        const r = p.process(asText ? JSON.stringify(event) : event);
        const out = JSON.stringify([r.lineage, r.deadLetter?.reason ?? null, r.assessment?.reason ?? null]);
        expect(out).not.toContain(MARK);
        if (r.deadLetter !== undefined) {
          const state = p.exportState(SUBJECT) as SubjectState | null;
          expect(Object.keys(state?.purposes ?? {})).toEqual([]);
          expect(state?.marketing ?? []).toEqual([]);
        }
      }),
      { numRuns: 8000 },
    );
  });

  it('never throws on arbitrary JSON and envelopes', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom('id', 'time', 'subject', 'source', 'type', 'data'), hostileValue),
        (data, envelope) => {
          const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
          const event = { ...build('cookie-banner', {}), data, ...envelope };
          const r = p.process(JSON.stringify(event));
          expect(r.deadLetter?.reason ?? '').not.toContain(MARK);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
