import { consentEvent, examplePolicy, sourceEvent } from '../../test/rule-fixture.harness';
import { QUARANTINED } from '../consent/state-quarantine';
import { GovernanceProcessor } from './governance.processor';
import { DEMO_PSEUDONYM_KEYRING } from '../decision/pseudonym-keys';

type Input = Record<string, unknown>;

const at = (minute: number): string => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const cookies = (id: string, subject: string, minute: number): Input =>
  consentEvent({
    id,
    subject,
    time: at(minute),
    kind: 'cookie-banner',
    action: 'save_choices',
    purposes: ['cookie.marketing', 'cookie.statistics', 'seg.web_behaviour'],
  });
const pageView = (id: string, subject: string, minute: number): Input =>
  sourceEvent({
    id,
    subject,
    time: at(minute),
    source: 'web',
    type: 'page.viewed',
    data: { page: { url: '/secret-page' } },
  });
const linkEvent = (id: string, subject: string, cookieId: string, minute: number): Input =>
  sourceEvent({ id, subject, time: at(minute), source: 'web', type: 'identity.linked', data: { cookieId } });

const fresh = (): GovernanceProcessor =>
  new GovernanceProcessor(examplePolicy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });

/** A processor where ck1 is linked to CRM1, and CRM1's stored state is then found corrupt. */
function linkedThenCorrupt(): GovernanceProcessor {
  const p = fresh();
  for (const e of [cookies('c1', 'ck1', 0), cookies('c2', 'CRM1', 0), linkEvent('l1', 'CRM1', 'ck1', 1)])
    p.process(e);
  expect(p.exportState('ck1')).toMatchObject({ linkedTo: 'CRM1' });
  expect(p.importState('CRM1', '{"v":2,"purposes":')).toBe('quarantined');
  return p;
}

describe('a quarantined subject', () => {
  it('is made by importing anything that is not a valid state, never by throwing', () => {
    const p = fresh();
    for (const bad of [undefined, 42, 'text', [], {}, { v: 3 }, { v: 2, seen: ['x'] }])
      expect(p.importState('S1', bad)).toBe('quarantined');
    expect(p.exportState('S1')).toEqual(QUARANTINED);
    expect([...p.subjectKeys()]).toEqual(['S1']);
  });

  it('dead-letters every event resolving to it, directly or through a link, and changes nothing', () => {
    const p = linkedThenCorrupt();
    const before = JSON.stringify([p.exportState('ck1'), p.exportState('CRM1')]);
    for (const e of [
      pageView('e1', 'CRM1', 2),
      cookies('c3', 'CRM1', 2),
      pageView('e2', 'ck1', 2),
      cookies('c4', 'ck1', 2),
      linkEvent('l2', 'S9', 'CRM1', 2),
    ]) {
      const r = p.process(e);
      expect(r.deadLetter?.code).toBe('corrupt-state');
      expect(r.records).toEqual([]);
      expect(r.stateChanges).toEqual([]);
      expect(r.lineage).toHaveLength(1);
      // The lineage says why, without input values or the subject key.
      expect(JSON.stringify(r.lineage)).not.toMatch(/secret-page|CRM1|ck1/);
    }
    expect(JSON.stringify([p.exportState('ck1'), p.exportState('CRM1')])).toBe(before);
    expect(p.exportState('S9')).toBeNull();
    // Other subjects are decided as usual.
    expect(p.process(pageView('e3', 'S2', 3)).outcome).toBe('source');
  });

  it('moves with its marker to another task, and a valid state or a tombstone lifts it', () => {
    const p = linkedThenCorrupt();
    const other = fresh();
    expect(other.importState('CRM1', JSON.parse(JSON.stringify(p.exportState('CRM1'))))).toBe('carried');
    expect(other.importState('ck1', p.exportState('ck1'))).toBe('restored');
    expect(other.process(pageView('e1', 'ck1', 2)).deadLetter?.code).toBe('corrupt-state');
    // The duplicate window was not touched: the same id is decided once the state is repaired.
    expect(other.importState('CRM1', fresh().exportState('CRM1') ?? null)).toBe('restored');
    expect(other.process(pageView('e1', 'ck1', 2)).outcome).toBe('source');
    expect(p.importState('CRM1', null)).toBe('restored');
    expect(p.exportState('CRM1')).toBeNull();
    expect(p.process(pageView('e1', 'CRM1', 2)).outcome).toBe('source');
  });
});
