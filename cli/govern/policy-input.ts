import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type CompiledPolicy, PolicyLoadError, formatPolicyError, loadPolicy } from '@app/policy';

/** Result of a command: exit code and the lines to print. */
export interface CommandOutput {
  readonly exitCode: number;
  readonly lines: string[];
}

/** A policy file read and loaded, or the output to print instead: errors by path, no stack trace. */
export type LoadedPolicy =
  | { readonly policy: CompiledPolicy; readonly failure?: undefined }
  | { readonly policy?: undefined; readonly failure: CommandOutput };

/**
 * Reads and loads the policy at `policyPath`. An unreadable or invalid file becomes `failure`
 * with `exitCode` and every error by path, the same lines for every command.
 */
export function readPolicyFile(policyPath: string, exitCode: number): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(policyPath, 'utf8');
  } catch {
    return { failure: { exitCode, lines: [`${policyPath}: cannot read the file`] } };
  }
  try {
    return { policy: loadPolicy(text, { fileName: basename(policyPath) }) };
  } catch (e) {
    if (!(e instanceof PolicyLoadError)) throw e;
    return {
      failure: {
        exitCode,
        lines: [`${policyPath}: ${e.errors.length} error(s)`, ...e.errors.map(formatPolicyError)],
      },
    };
  }
}
