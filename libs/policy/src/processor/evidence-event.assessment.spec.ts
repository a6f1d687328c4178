import type { LineageRecord } from '@app/contracts';
import { generateEventStream } from '@app/sample';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy } from '../index';
import { EXAMPLE_POLICY_TEXT } from '../../test/rule-fixture.harness';
import { assessEvidenceEvent } from './evidence-event.assessment';

const policy = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'example.yaml' });
const TOPIC = policy.evidenceTopic;

type Assessment = Extract<LineageRecord, { kind: 'consent-assessment' }>;

describe('assessEvidenceEvent: what the consent ledger stores for a record of the evidence topic', () => {
  it("equals the engine's consent-assessment lineage for every piece of evidence of a generated stream", () => {
    const lines = generateEventStream({ seed: 21, customers: 600 });
    const processor = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    let compared = 0;
    let withNote = 0;
    for (const line of lines) {
      // Every line, in order, as dry-run reads a mixed file (the person's state follows the stream).
      const result = processor.process(line);
      if (!line.includes('"type":"consent.evidence"')) continue;
      const ledger = assessEvidenceEvent(policy, { value: line });
      const lineage = result.lineage.find((l): l is Assessment => l.kind === 'consent-assessment');
      if (lineage === undefined) {
        // The engine dead-letters it (a duplicate, or not evidence it can read): the ledger
        // records it too, assessed when it is evidence, refused with the same code otherwise.
        if (ledger.outcome === 'refused') expect(ledger.code).toBe(result.deadLetter?.code);
        continue;
      }
      expect(ledger.outcome).toBe('assessed');
      if (ledger.outcome !== 'assessed') continue;
      const {
        grants: _grants,
        lineageVersion: _v,
        kind: _k,
        policyVersion: _p,
        subject: _s,
        ...rest
      } = lineage;
      void [_grants, _v, _k, _p, _s];
      // The fold may add a note on what it did with the person's state; the facts are the same.
      const { reason, ...facts } = ledger.facts;
      if (rest.reason !== reason) {
        expect(rest.reason.startsWith(`${reason}; `)).toBe(true);
        withNote++;
      }
      expect({ ...rest, reason }).toEqual({
        ...facts,
        reason,
        eventId: ledger.eventId,
        time: ledger.evidence.timestamp,
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(900);
    expect(withNote).toBeLessThan(compared);
  });

  it('refuses what the engine dead-letters, with its code and a reason that quotes no value', () => {
    const secret = 'person@example.com';
    const notJson = assessEvidenceEvent(policy, { value: `{"id":"${secret}"` }, TOPIC);
    expect(notJson).toMatchObject({ outcome: 'refused', code: 'not-json' });
    const wrongSource = assessEvidenceEvent(
      policy,
      {
        value: JSON.stringify({
          specversion: '1.0',
          id: 'e1',
          source: 'crm',
          type: 'consent.evidence',
          time: '2025-01-01T00:00:00Z',
          subject: secret,
          data: { evidenceId: 'x' },
        }),
      },
      TOPIC,
    );
    expect(wrongSource).toMatchObject({ outcome: 'refused', code: 'unexpected-evidence-source' });
    expect(JSON.stringify([notJson, wrongSource])).not.toContain(secret);
  });

  it('honours a malformed withdrawal as withdrawing everything, and says why', () => {
    const a = assessEvidenceEvent(
      policy,
      {
        value: JSON.stringify({
          specversion: '1.0',
          id: 'w1',
          source: 'consent-service',
          type: 'consent.evidence',
          time: '2025-01-01T00:00:00Z',
          subject: 'cust-1',
          data: { kind: 'withdrawal', evidenceId: 'w1', subject: { key: 'cust-1' }, bogus: 1 },
        }),
      },
      TOPIC,
    );
    expect(a.outcome).toBe('assessed');
    if (a.outcome !== 'assessed') return;
    expect(a.facts).toMatchObject({ valid: true, rule: 'R18', evidenceKind: 'withdrawal' });
    expect(a.unreadable).not.toBeNull();
  });
});
