import { PolicyLoadError, formatPolicyError } from '../src/policy-file/policy-error';
import { loadPolicy } from '../src/policy-file/policy-file.loader';
import { EXAMPLE_POLICY_TEXT } from './rule-fixture.harness';

/** The errors a policy text is refused with, formatted as `govern validate` prints them ([]: loads). */
export function errorsOf(text: string): string[] {
  try {
    loadPolicy(text, { fileName: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyLoadError) return e.errors.map(formatPolicyError);
    throw e;
  }
  return [];
}

/** The example policy with its one occurrence of `from` replaced by `to`. */
export function exampleChanged(from: string, to: string): string {
  // A test edit that matches twice, or not at all, would test something else than it says.
  if (EXAMPLE_POLICY_TEXT.split(from).length !== 2)
    throw new Error(`the example policy holds ${JSON.stringify(from)} not exactly once`);
  return EXAMPLE_POLICY_TEXT.replace(from, to);
}
