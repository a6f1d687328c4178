import { type PseudonymKeyring } from '@app/policy';
import { describeKeyringProblems, parsePseudonymKeyring } from '@app/stream';
import type { CommandOutput } from './validate.command';

/** The keyring a replay uses, or what to print when its settings are malformed. */
export type KeyringInput =
  | { readonly keyring: PseudonymKeyring | undefined; readonly failure?: undefined }
  | { readonly failure: CommandOutput };

/**
 * The keyring from `GOVERN_PSEUDONYM_KEYS` and `GOVERN_PSEUDONYM_ACTIVE_KEY`, as the engine reads
 * them (give both the same to compare their outputs). Unset: undefined, and the replay uses the
 * public demo keyring, so every pseudonym of its output starts with `demo:`. Malformed: the
 * problems, never a value.
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv, exitCode: number): KeyringInput {
  const { keyring, problems } = parsePseudonymKeyring(
    env.GOVERN_PSEUDONYM_KEYS,
    env.GOVERN_PSEUDONYM_ACTIVE_KEY,
  );
  if (problems.length > 0) return { failure: { exitCode, lines: describeKeyringProblems(problems) } };
  return { keyring: keyring ?? undefined };
}
