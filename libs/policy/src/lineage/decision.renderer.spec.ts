import type { DecisionLineageRecord } from '@app/contracts/lineage-record.types';
import {
  consentEvent,
  EXAMPLE_POLICY_TEXT,
  examplePolicy,
  sourceEvent,
} from '../../test/rule-fixture.harness';
import { loadPolicy } from '../policy-file/policy-file.loader';
import { GovernanceProcessor } from '../processor/governance.processor';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';
import { LineageRenderError, renderDecision } from './decision.renderer';

const at = (minute: number): string => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** A customer with newsletter consent, then a CRM update: its v2 record and the core's decisions. */
function decided(): { record: DecisionLineageRecord; processor: GovernanceProcessor } {
  const processor = new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
  processor.process(
    consentEvent({
      id: 'c1',
      subject: 'S1',
      time: at(1),
      kind: 'marketing-consent',
      form: 'competition-2025',
      action: 'checkbox_ticked',
      purposes: ['email.newsletter'],
      extra: {
        scope: { brands: ['nordlys'], channels: ['email'], productGroups: ['running_shoes', 'outdoor_gear'] },
      },
    }),
  );
  const r = processor.process(
    sourceEvent({
      id: 'e1',
      subject: 'S1',
      time: at(2),
      source: 'crm',
      type: 'customer.updated',
      data: { email: 'a@example.dk', firstName: 'A', city: 'Aarhus', shoeSize: 44 },
    }),
  );
  // The CRM event also links the address it names (R25): its decision record is the one to render.
  const decision = r.lineage.find((l) => l.kind === 'decision');
  return { record: JSON.parse(JSON.stringify(decision)) as DecisionLineageRecord, processor };
}

describe('renderDecision', () => {
  it('stores paths once and the per-person facts, and renders purpose, basis and rule per attribute', () => {
    const { record } = decided();
    expect(record).toMatchObject({
      lineageVersion: 2,
      kind: 'decision',
      eventId: 'e1',
      paths: ['email', 'firstName', 'city'],
      // An undeclared top-level key is named `*`, never by its input key (R28).
      undeclared: { listed: ['*'], total: 1 },
    });
    const rendered = renderDecision(examplePolicy, record);
    expect(rendered.map((d) => d.destination)).toEqual(examplePolicy.destinations.map((d) => d.name));
    for (const d of rendered) {
      expect(d.attributes.map((a) => a.path)).toEqual(['email', 'firstName', 'city', '*']);
      expect(d.attributes[3]).toMatchObject({
        outcome: 'withhold',
        reason: 'undeclared-attribute',
        rule: 'R28',
      });
    }
  });

  it('renders against the policy text of the version, compiled anew', () => {
    const { record } = decided();
    const fromText = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'elsewhere.yaml' });
    expect(renderDecision(fromText, record)).toEqual(renderDecision(examplePolicy, record));
  });

  it('refuses a record of another policy version', () => {
    const { record } = decided();
    const other = loadPolicy(EXAMPLE_POLICY_TEXT.replace('version: 2025.1', 'version: 2025.2'));
    expect(() => renderDecision(other, record)).toThrow(LineageRenderError);
    // Another text under the same declared version is another version too (its content hash).
    const edited = loadPolicy(`${EXAMPLE_POLICY_TEXT}\n# edited\n`);
    expect(edited.declaredVersion).toBe(examplePolicy.declaredVersion);
    expect(() => renderDecision(edited, record)).toThrow(/not 2025\.1\+/);
  });

  it('refuses a record whose stored result does not replay (the check can fail)', () => {
    const { record } = decided();
    const email = record.destinations['email-service'];
    const tampered: DecisionLineageRecord = {
      ...record,
      destinations: { ...record.destinations, 'email-service': { ...email, f: [0, 1, 2] } },
    };
    expect(() => renderDecision(examplePolicy, tampered)).toThrow(/does not replay/);
  });

  it('refuses unknown paths, reasons and missing destinations rather than guess', () => {
    const { record } = decided();
    expect(() => renderDecision(examplePolicy, { ...record, paths: ['nope'] })).toThrow(/not declared/);
    expect(() =>
      renderDecision(examplePolicy, {
        ...record,
        bases: { 'seg.purchase_history': ['made-up-reason', null] },
      }),
    ).toThrow(/not known/);
    const { segmentation: _dropped, ...rest } = record.destinations;
    expect(() => renderDecision(examplePolicy, { ...record, destinations: rest })).toThrow(/segmentation/);
  });
});
