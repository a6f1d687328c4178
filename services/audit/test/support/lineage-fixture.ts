import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineageRecord } from '@app/contracts';
import {
  type CompiledPolicy,
  loadPolicy,
  type PseudonymKeyring,
  replayLines,
  type ReplayedEvent,
} from '@app/policy';
import { generateEventStream } from '@app/sample';

/** A generated stream decided by the core (what `govern dry-run` and the engine write), with its lineage in log order. */
export interface DecidedSample {
  readonly policyText: string;
  readonly policy: CompiledPolicy;
  readonly lines: readonly string[];
  readonly results: readonly ReplayedEvent[];
  readonly lineage: readonly LineageRecord[];
}

export function decidedSample(
  customers: number,
  seed: number,
  pseudonymKeys: PseudonymKeyring,
): DecidedSample {
  const policyText = readFileSync(join(__dirname, '../../../../policies/example.yaml'), 'utf8');
  const policy = loadPolicy(policyText, { fileName: 'example.yaml' });
  const lines = generateEventStream({ seed, customers });
  const { results } = replayLines(policy, `${lines.join('\n')}\n`, { pseudonymKeys });
  return { policyText, policy, lines, results, lineage: results.flatMap((r) => r.result.lineage) };
}
