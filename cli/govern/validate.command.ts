import { type CommandOutput, readPolicyFile } from './policy-input';

export type { CommandOutput } from './policy-input';

/** `govern validate POLICY`: 0 with a summary, or 1 with every error by path. */
export function validateCommand(policyPath: string): CommandOutput {
  const loaded = readPolicyFile(policyPath, 1);
  if (loaded.failure !== undefined) return loaded.failure;
  const p = loaded.policy;
  const attributes = [...p.eventTypes.values()].reduce((n, t) => n + t.attributes.length, 0);
  const withoutOptOut = p.destinations
    .filter((d) => d.marketing !== null && !d.marketing.unsubscribeInEveryMessage)
    .map((d) => d.name);
  return {
    exitCode: 0,
    lines: [
      `${policyPath}: valid, policy version ${p.version}`,
      `  purposes: ${p.purposes.size}, consent forms: ${p.forms.size}, sources: ${p.sources.size}, event types: ${p.eventTypes.size}, attributes: ${attributes}`,
      `  destinations: ${p.destinations.map((d) => `${d.name} -> ${d.topic}`).join(', ')}`,
      ...(p.nonGranularForms.length > 0
        ? [
            `  warning: banner version(s) without real per-purpose choice grant nothing (R3): ${p.nonGranularForms.join(', ')}`,
          ]
        : []),
      ...(p.openAttributes.length > 0
        ? [
            `  warning: forwarded attribute(s) whose schema allows undeclared members; those members are dropped (R28), close the schema (additionalProperties: false, items) to refuse such events instead: ${p.openAttributes.join(', ')}`,
          ]
        : []),
      ...(withoutOptOut.length > 0
        ? [
            `  warning: destination(s) whose messages do not all carry an opt-out may contact nobody (R16): ${withoutOptOut.join(', ')}`,
          ]
        : []),
    ],
  };
}
