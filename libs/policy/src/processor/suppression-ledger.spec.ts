import type { SuppressionStateRecord } from '@app/contracts/governed-record.types';
import { consentEvent, EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { GovernanceProcessor } from './governance.processor';
import type { ProcessResult } from './processor.types';

type Input = Record<string, unknown>;

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2025-03-01T10:00:00Z');
const at = (day: number): string => new Date(T0 + day * DAY).toISOString();
const policy = loadPolicy(EXAMPLE_POLICY_TEXT.replace('stateHorizonDays: 730', 'stateHorizonDays: 30'), {
  fileName: 'ledger.yaml',
});

const cookies = (id: string, day: number, purposes: string[]): Input =>
  consentEvent({ id, subject: 'S1', time: at(day), kind: 'cookie-banner', action: 'save_choices', purposes });
const withdraw = (id: string, day: number, withdrawal: object): Input =>
  consentEvent({ id, subject: 'S1', time: at(day), kind: 'withdrawal', extra: { withdrawal } });

/** The record a result writes to segmentation's compacted suppression topic, if any. */
const compacted = (r: ProcessResult): SuppressionStateRecord | undefined =>
  r.suppressionStates?.find((s) => s.destination === 'segmentation');
const suppressed = (r: ProcessResult): readonly string[] | undefined => {
  const value = r.records.find(
    (x) => x.destination === 'segmentation' && x.value.kind === 'suppression',
  )?.value;
  return value?.kind === 'suppression' ? value.purposes : undefined;
};

describe('the suppression ledger behind the compacted suppression topic', () => {
  it('keeps the union of suppressions, lifts a purpose granted again, and ends in a tombstone', () => {
    const p = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    p.process(cookies('c1', 0, ['cookie.statistics', 'seg.web_behaviour', 'cookie.marketing']));
    p.process(
      consentEvent({
        id: 'm1',
        subject: 'S1',
        time: at(0),
        kind: 'marketing-consent',
        form: 'newsletter-v3',
        purposes: ['email.newsletter', 'seg.purchase_history'],
        action: 'checkbox_ticked',
      }),
    );
    p.process(
      consentEvent({
        id: 'm2',
        subject: 'S1',
        time: at(0.01),
        kind: 'double-opt-in-confirmation',
        extra: { confirms: 'ev-m1' },
      }),
    );

    // Everything withdrawn: the broad suppression, and the same set on the compacted topic.
    const all = p.process(withdraw('w1', 1, { all: true }));
    const broad = suppressed(all) ?? [];
    expect(broad).toEqual(expect.arrayContaining(['seg.purchase_history', 'seg.web_behaviour']));
    expect(compacted(all)?.value).toMatchObject({
      kind: 'suppression-state',
      purposes: broad,
      evidenceId: 'ev-w1',
    });
    expect(compacted(all)?.key).toBe(all.records.find((x) => x.destination === 'segmentation')?.key);

    // A new cookie consent for web behaviour lifts that purpose only.
    const again = p.process(cookies('c2', 2, ['seg.web_behaviour']));
    expect(compacted(again)?.value?.purposes).toEqual(broad.filter((x) => x !== 'seg.web_behaviour'));

    // Withdrawn again: the suppression names one purpose, the compacted record still the union.
    const narrow = p.process(withdraw('w2', 3, { purposes: ['seg.web_behaviour'] }));
    expect(suppressed(narrow)).toEqual(['seg.web_behaviour']);
    expect(compacted(narrow)?.value?.purposes).toEqual(broad);

    // A subject with suppressions on record is never forgotten, however long it is quiet.
    p.process(consentEvent({ id: 'x1', subject: 'S2', time: at(900), kind: 'objection' }));
    p.process(consentEvent({ id: 'x2', subject: 'S3', time: at(901), kind: 'objection' }));
    expect(p.exportState('S1')).toMatchObject({ suppressed: { segmentation: broad } });

    // Every suppressed purpose granted again: a tombstone.
    expect(broad).toEqual(['seg.purchase_history', 'seg.web_behaviour']);
    const regrant = p.process(cookies('c3', 902, ['seg.web_behaviour']));
    expect(compacted(regrant)?.value?.purposes).toEqual(['seg.purchase_history']);
    p.process(
      consentEvent({
        id: 'm3',
        subject: 'S1',
        time: at(903),
        kind: 'marketing-consent',
        form: 'newsletter-v3',
        purposes: ['email.newsletter', 'seg.purchase_history'],
        action: 'checkbox_ticked',
      }),
    );
    const confirmed = p.process(
      consentEvent({
        id: 'm4',
        subject: 'S1',
        time: at(903.01),
        kind: 'double-opt-in-confirmation',
        extra: { confirms: 'ev-m3' },
      }),
    );
    expect(compacted(confirmed)).toMatchObject({
      value: null,
      headers: { 'record-kind': 'suppression-state' },
    });
    // The e-mail tool's set lost the newsletter only: the rest was never granted again.
    const email = confirmed.suppressionStates?.find((x) => x.destination === 'email-service');
    expect(email?.value?.purposes).toEqual(['email.engagement_tracking', 'email.own_similar_products']);
    expect(p.exportState('S1')).toMatchObject({
      suppressed: { 'email-service': ['email.engagement_tracking', 'email.own_similar_products'] },
    });
    expect(Object.keys((p.exportState('S1') as { suppressed: object }).suppressed)).toEqual([
      'email-service',
    ]);
  });

  it('keeps a ledger key read back from the changelog a key, whatever it is named', () => {
    const p = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const stored = JSON.parse(
      '{"v":2,"purposes":{},"marketing":[],"pending":{},"withdrawn":{},"refused":{},"contactRefused":null,' +
        '"objection":null,"seen":[],"linkedTo":null,"lastAt":0,"suppressed":{"__proto__":["seg.purchase_history","seg.web_behaviour"]}}',
    ) as unknown;
    expect(p.importState('S1', stored)).toBe('restored');
    const r = p.process(cookies('c1', 0, ['seg.web_behaviour']));
    expect(r.deadLetter).toBeUndefined();
    // Lifted like any other entry; not a destination of the policy, so no record is written for it.
    expect(r.suppressionStates).toBeUndefined();
    // Still an entry of the ledger, lifted by purpose like any other.
    const exported = JSON.stringify((p.exportState('S1') as { suppressed: object }).suppressed);
    expect(exported).toBe('{"__proto__":["seg.purchase_history"]}');
  });

  it('writes nothing for evidence that changes no suppression', () => {
    const p = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    expect(p.process(cookies('c1', 0, ['seg.web_behaviour'])).suppressionStates).toBeUndefined();
    expect(
      p.process(withdraw('w1', 1, { purposes: ['cookie.statistics'] })).suppressionStates,
    ).toBeUndefined();
  });
});
