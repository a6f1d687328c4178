import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { costByKind, formatCostByKind } from './policy-breakdown';

const policy = loadPolicy(readFileSync(join(__dirname, '..', 'policies', 'example.yaml'), 'utf8'), {
  fileName: 'example.yaml',
});

describe('bench:policy cost per kind of event', () => {
  // Well-formed JSON only, as in the bench (the baseline cannot parse the malformed lines).
  const events = generateEventStream({ seed: 3, customers: 60 }).filter((line) => line.endsWith('}'));
  const rows = costByKind(events, new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING }));

  it('accounts for every event exactly once, under its source and type, evidence kind or dead-letter code', () => {
    expect(rows.reduce((n, r) => n + r.events, 0)).toBe(events.length);
    const kinds = rows.map((r) => r.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'crm customer.updated',
        'web page.viewed',
        'consent evidence: cookie-banner',
        'consent evidence: withdrawal',
        'dead letter: missing-subject',
      ]),
    );
    for (const r of rows) {
      expect(r.coreUs).toBeGreaterThan(0);
      expect(r.baselineUs).toBeGreaterThanOrEqual(0);
    }
  });

  it('prints one line per kind under a header, costliest over the baseline first', () => {
    const table = formatCostByKind([
      { kind: 'cheap', events: 10, coreUs: 2, baselineUs: 1 },
      { kind: 'dear', events: 10, coreUs: 5, baselineUs: 1 },
    ]).split('\n');
    expect(table).toHaveLength(3);
    expect(table[0]).toContain('excess µs');
    expect(table[1]).toMatch(/80\.0 %\s+10\s+5\.00\s+1\.00\s+4\.00\s+dear$/);
    expect(table[2]).toMatch(/20\.0 %\s+10\s+2\.00\s+1\.00\s+1\.00\s+cheap$/);
  });
});
