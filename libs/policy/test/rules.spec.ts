import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, renderLineage, type CompiledPolicy } from '@app/policy';
import {
  EXAMPLE_POLICY_TEXT,
  examplePolicy,
  parseRuleCases,
  run,
  type RuleCase,
} from './rule-fixture.harness';
import { renderingDiffers } from './lineage-equivalence.harness';

/**
 * Replays the rule cases in test/rules/*.yaml through the processor with the example policy.
 * Each case is named after the rule it proves; each expectation checks one decision. A case may
 * change the example policy first (`policy: [{ replace, with }]`, each text found exactly once),
 * for rules that only a different policy shows (e.g. R16).
 */
const dir = join(__dirname, 'rules');
const cases: RuleCase[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseRuleCases(f, readFileSync(join(dir, f), 'utf8')));

function policyOf(c: RuleCase): CompiledPolicy {
  if (c.policy === undefined) return examplePolicy;
  let text = EXAMPLE_POLICY_TEXT;
  for (const change of c.policy) {
    // Exactly once, so a case cannot silently stop applying when the example policy changes.
    expect(text.split(change.replace)).toHaveLength(2);
    text = text.replace(change.replace, change.with);
  }
  return loadPolicy(text, { fileName: 'example-changed.yaml' });
}

describe('rule cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const policy = policyOf(c);
    const results = run(c.steps, policy);
    // Lineage v2: every decision of the case renders back from its record to what the core decided.
    for (const r of results.values()) expect(renderingDiffers(policy, policy, r)).toEqual([]);
    for (const x of c.expect) {
      const r = results.get(x.event);
      expect(r).toBeDefined();
      if (r === undefined) continue;
      if (x.deadLetter !== undefined) expect(r.deadLetter?.code).toBe(x.deadLetter);
      if (x.valid !== undefined) {
        expect(r.assessment?.valid).toBe(x.valid);
        if (x.rule !== undefined) expect(r.assessment?.rule).toBe(x.rule);
      }
      if (x.suppressions !== undefined) {
        const got = r.records
          .filter((rec) => rec.value.kind === 'suppression')
          .map((rec) => rec.destination)
          .sort();
        expect(got).toEqual([...x.suppressions].sort());
      }
      if (x.linked !== undefined) {
        const link = r.lineage.find((l) => l.kind === 'identity-link');
        expect(link !== undefined && link.kind === 'identity-link' && link.linked).toBe(x.linked);
      }
      if (x.records !== undefined && x.destination !== undefined) {
        expect(r.records.filter((rec) => rec.destination === x.destination)).toHaveLength(x.records);
      }
      if (x.destination === undefined) continue;
      const decision = renderLineage(policy, r.lineage).find((d) => d.destination === x.destination);
      expect(decision).toBeDefined();
      if (x.mayContact !== undefined) {
        expect(decision?.contact?.mayContact).toBe(x.mayContact);
        if (x.rule !== undefined && x.attribute === undefined) expect(decision?.contact?.rule).toBe(x.rule);
      }
      if (x.trackOpens !== undefined) expect(decision?.contact?.trackOpens).toBe(x.trackOpens);
      if (x.attribute !== undefined) {
        const a = decision?.attributes.find((at) => at.path === x.attribute);
        expect({
          path: a?.path,
          outcome: a?.outcome,
          rule: x.rule === undefined ? undefined : a?.rule,
        }).toEqual({
          path: x.attribute,
          outcome: x.outcome,
          rule: x.rule,
        });
      }
    }
  });
});
