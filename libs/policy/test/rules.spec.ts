import { loadPolicy, type CompiledPolicy } from '@app/policy';
import { renderingDiffers } from './lineage-equivalence.harness';
import { checkCase, loadRuleCases, outputOfResults } from './rule-case.check';
import { EXAMPLE_POLICY_TEXT, examplePolicy, run, type RuleCase } from './rule-fixture.harness';

/**
 * Replays the rule cases in test/rules/*.yaml through the processor (as `govern dry-run` does)
 * with the example policy. Each case is named after the rule it proves; each expectation checks one
 * decision. A case may change the example policy first (`policy: [{ replace, with }]`, each text
 * found exactly once), for rules that only a different policy shows (e.g. R16). The same cases run
 * on the live engine in test/engine/governed-stream.rules.int-spec.ts.
 */
const cases: RuleCase[] = loadRuleCases();

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
    expect(checkCase(c, outputOfResults(results, policy))).toEqual([]);
  });

  it('prove every core rule at least twice', () => {
    const core = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'];
    for (let r = 14; r <= 23; r++) core.push(`R${r}`);
    core.push('R25', 'R27', 'R28', 'R29');
    const count = (rule: string): number => cases.filter((c) => c.name.startsWith(`${rule} `)).length;
    expect(core.filter((rule) => count(rule) < 2)).toEqual([]);
  });
});
