import type { LineageRecord } from '@app/contracts';
import { DEMO_PSEUDONYM_KEYRING, GovernanceProcessor, loadPolicy, type ProcessResult } from '@app/policy';
import { generateEventStream } from '@app/sample';
import { HARD_CASES } from '../../sample/src/hard-cases';
import { renderingDiffers } from './lineage-equivalence.harness';
import { EXAMPLE_POLICY_TEXT } from './rule-fixture.harness';

/**
 * Lineage v2 equivalence proof: every decision of a generated stream (every hard case), rendered
 * from its stored v2 record (as read back from the log) and the policy text of its version, is
 * identical field by field to the full per-attribute decision the core computed (what v1 stored),
 * for every attribute, destination and event.
 */
const CUSTOMERS = 2800;
const deciding = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'example.yaml' });
// The auditor's copy: compiled from the text (as published on the policy-versions topic).
const rendering = loadPolicy(EXAMPLE_POLICY_TEXT, { fileName: 'policy-versions' });
const lines = generateEventStream({ seed: 11, customers: CUSTOMERS });
const processor = new GovernanceProcessor(deciding, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
const results: ProcessResult[] = lines.map((line, i) => processor.process(line, { line: i + 1 }));

describe('lineage v2 renders back to the full decision', () => {
  const sources = results.filter((r) => r.outcome === 'source');

  it('covers a stream of at least 10,000 events with every hard case', () => {
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    expect(CUSTOMERS).toBeGreaterThanOrEqual(HARD_CASES.length * 100);
    expect(sources.length).toBeGreaterThan(5_000);
  });

  it('is identical for every attribute, destination and event', () => {
    let attributes = 0;
    const differing: string[] = [];
    for (const r of sources) {
      expect(r.lineage.filter((l) => l.kind === 'decision')).toHaveLength(1);
      differing.push(...renderingDiffers(deciding, rendering, r));
      for (const d of r.decisions ?? []) attributes += d.attributes.length;
    }
    expect(differing).toEqual([]);
    expect(attributes).toBeGreaterThan(20_000);
  });

  it('renders every reason and rule the core decided by, so the comparison covers them all', () => {
    const seen = new Set<string>();
    for (const r of sources)
      for (const d of r.decisions ?? []) for (const a of d.attributes) seen.add(`${a.reason} ${a.rule}`);
    for (const expected of [
      'basis-consent R2',
      'basis-consent R23',
      'basis-fixed R20',
      'collected-before-basis R22',
      'consent-expired R8',
      'consent-withdrawn R18',
      'consent-invalid R3',
      'no-consent R4',
      'no-contact-permission R14',
      'no-contact-permission R15',
      'objection R19',
      'not-requested R28',
      'purpose-not-collected-for R21',
      'undeclared-attribute R28',
    ])
      expect({ expected, seen: seen.has(expected) }).toEqual({ expected, seen: true });
  });

  it('stores one lineageVersion 2 record per input and never a per-attribute purpose, basis or rule', () => {
    const all: LineageRecord[] = results.flatMap((r) => r.lineage);
    for (const l of all) expect(l.lineageVersion).toBe(2);
    const text = JSON.stringify(all.filter((l) => l.kind === 'decision'));
    expect(text).not.toMatch(/"(purpose|legalBasis|attributes|decisionId)"/);
  });
});
