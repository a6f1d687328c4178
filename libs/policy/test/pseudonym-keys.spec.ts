import {
  destinationPseudonym,
  GovernanceProcessor,
  lineagePseudonym,
  type ProcessResult,
  type PseudonymKeyring,
} from '@app/policy';
import { examplePolicy } from './rule-fixture.harness';

/**
 * The core's pseudonyms end to end: the lineage names a person by the lineage key, a destination
 * that takes pseudonyms by its own key, and an auditor recomputes both from the clear key with the
 * keyring, under the active key id and under retired ones.
 */
const ring = (active: string): PseudonymKeyring => ({
  activeKeyId: active,
  secrets: new Map([
    ['2025-06', 'the retired secret, long enough for the engine'],
    ['2026-12', 'the active secret, long enough for the engine too'],
  ]),
});

const consent = {
  specversion: '1.0',
  id: 'c1',
  source: 'consent-service',
  type: 'consent.evidence',
  time: '2025-03-01T10:00:00Z',
  subject: 'Cookie-7',
  data: {
    evidenceId: 'ev1',
    kind: 'cookie-banner',
    subject: { key: 'Cookie-7' },
    timestamp: '2025-03-01T10:00:00Z',
    cmp: 'c',
    formVersion: 'banner-v1',
    textVersion: 't',
    // Layer 2: personalisation and marketing cookies, which page views for segmentation need.
    action: 'save_choices',
    uiLayer: 2,
    language: 'da',
    purposes: ['seg.web_behaviour', 'cookie.marketing'],
    sourceChannel: 'web',
  },
};
const pageView = {
  specversion: '1.0',
  id: 'e1',
  source: 'web',
  type: 'page.viewed',
  time: '2025-03-01T10:05:00Z',
  // Keyed by the device (the cookie id) that gave the banner consent, so segmentation gets the view.
  subject: 'Cookie-7',
  data: { page: { url: '/a' } },
};

function run(keyring: PseudonymKeyring): ProcessResult {
  const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: keyring });
  p.process(consent);
  return p.process(pageView);
}

describe('pseudonyms in records and lineage', () => {
  it('give the lineage and the segmentation tool unrelated pseudonyms an auditor can recompute', () => {
    const keyring = ring('2026-12');
    const result = run(keyring);
    const data = result.records.find((r) => r.destination === 'segmentation');
    const lineage = result.lineage.find((l) => l.kind === 'decision');
    expect(data?.key).toBe(destinationPseudonym(keyring, 'segmentation', 'Cookie-7'));
    expect(lineage?.subject).toBe(lineagePseudonym(keyring, 'Cookie-7'));
    expect(data?.key).toMatch(/^2026-12:[0-9a-f]{32}$/);
    expect(lineage?.subject).toMatch(/^2026-12:[0-9a-f]{32}$/);
    expect(data?.key.slice(8)).not.toBe(lineage?.subject?.slice(8));
  });

  it('rotate to the new active key id for new records; old ids stay readable with the keyring', () => {
    const before = run(ring('2025-06'));
    const after = run(ring('2026-12'));
    const subject = (r: ProcessResult): string | null | undefined =>
      r.lineage.find((l) => l.kind === 'decision')?.subject;
    expect(subject(before)).toMatch(/^2025-06:/);
    expect(subject(after)).toMatch(/^2026-12:/);
    expect(subject(before)).toBe(lineagePseudonym(ring('2026-12'), 'Cookie-7', '2025-06'));
  });

  it('name a dead letter by its canonical subject, as every other lineage record', () => {
    const keyring = ring('2026-12');
    const p = new GovernanceProcessor(examplePolicy, { pseudonymKeys: keyring });
    const r = p.process({ ...pageView, source: 'nowhere', subject: ' Bob@Example.com' });
    expect(r.deadLetter?.code).toBe('unknown-source');
    expect(r.lineage[0]?.subject).toBe(lineagePseudonym(keyring, 'bob@example.com'));
  });
});
