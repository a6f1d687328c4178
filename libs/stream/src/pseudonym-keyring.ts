import { DEMO_PSEUDONYM_KEYRING, keyringProblems, type PseudonymKeyring } from '@app/policy';

/** The variable holding the keyring: `<keyId>=<secret>` entries separated by commas. */
export const PSEUDONYM_KEYS_VARIABLE = 'GOVERN_PSEUDONYM_KEYS';
/** The variable naming the key id new pseudonyms are made with. */
export const ACTIVE_KEY_VARIABLE = 'GOVERN_PSEUDONYM_ACTIVE_KEY';

/**
 * Shortest secret accepted outside demo mode, in bytes: 256 bits of base64 (`openssl rand -base64
 * 32`) is 44 characters. A short secret can be guessed, and then every pseudonym reversed with a
 * dictionary of identifiers.
 */
export const MIN_SECRET_BYTES = 32;

/** What is wrong with one of the two settings; never quotes a secret or a key id. */
export interface KeyringProblem {
  readonly variable: typeof PSEUDONYM_KEYS_VARIABLE | typeof ACTIVE_KEY_VARIABLE;
  readonly problem: string;
}

/** A keyring read from settings, or what is wrong with them. */
export interface ParsedKeyring {
  /** Null when no keyring is set at all, or when it has problems. */
  readonly keyring: PseudonymKeyring | null;
  readonly problems: KeyringProblem[];
}

const keysProblem = (problem: string): KeyringProblem => ({ variable: PSEUDONYM_KEYS_VARIABLE, problem });

/** One line per problem, naming the variable, as the services' settings errors read. */
export function describeKeyringProblems(problems: readonly KeyringProblem[]): string[] {
  return problems.map((p) => `${p.variable} (value not shown): ${p.problem}`);
}

/**
 * Reads `GOVERN_PSEUDONYM_KEYS` (`<keyId>=<secret>,…`, a secret may hold `=` but not `,`) and
 * `GOVERN_PSEUDONYM_ACTIVE_KEY`. Shape only: {@link keyringWeaknesses} says whether it is secret enough.
 */
export function parsePseudonymKeyring(keys: string | undefined, active: string | undefined): ParsedKeyring {
  const text = keys?.trim() ?? '';
  const activeId = active?.trim() ?? '';
  if (text === '') {
    const problems: KeyringProblem[] =
      activeId === '' ? [] : [{ variable: ACTIVE_KEY_VARIABLE, problem: `needs ${PSEUDONYM_KEYS_VARIABLE}` }];
    return { keyring: null, problems };
  }
  const problems: KeyringProblem[] = [];
  const secrets = new Map<string, string>();
  text.split(',').forEach((entry, i) => {
    const at = entry.indexOf('=');
    const id = at < 0 ? '' : entry.slice(0, at).trim();
    const secret = at < 0 ? '' : entry.slice(at + 1).trim();
    if (id === '' || secret === '') problems.push(keysProblem(`entry ${i + 1} is not <keyId>=<secret>`));
    else if (secrets.has(id)) problems.push(keysProblem(`entry ${i + 1} repeats a key id`));
    else secrets.set(id, secret);
  });
  const keyring: PseudonymKeyring = { activeKeyId: activeId, secrets };
  if (problems.length === 0) problems.push(...shapeProblems(keyring));
  return { keyring: problems.length === 0 ? keyring : null, problems };
}

/** The core's shape checks, each attributed to the setting that fixes it. */
function shapeProblems(keyring: PseudonymKeyring): KeyringProblem[] {
  return keyringProblems(keyring).map((problem) => ({
    variable: problem.startsWith('the active') ? ACTIVE_KEY_VARIABLE : PSEUDONYM_KEYS_VARIABLE,
    problem: problem.startsWith('the active') ? 'must be one of the key ids of the keyring' : problem,
  }));
}

/**
 * Why a keyring is not secret enough for real data: a secret shorter than {@link MIN_SECRET_BYTES},
 * the public demo secret or id, or one secret under two ids (that is no rotation at all).
 */
export function keyringWeaknesses(keyring: PseudonymKeyring): KeyringProblem[] {
  const problems: KeyringProblem[] = [];
  const secrets = [...keyring.secrets.values()];
  const demoSecret = DEMO_PSEUDONYM_KEYRING.secrets.get(DEMO_PSEUDONYM_KEYRING.activeKeyId);
  if (secrets.some((s) => Buffer.byteLength(s) < MIN_SECRET_BYTES))
    problems.push(keysProblem(`every secret must be at least ${MIN_SECRET_BYTES} bytes`));
  if (keyring.secrets.has(DEMO_PSEUDONYM_KEYRING.activeKeyId) || secrets.some((s) => s === demoSecret))
    problems.push(keysProblem('holds the public demo key'));
  if (new Set(secrets.map((s) => Buffer.from(s).toString('hex'))).size < secrets.length)
    problems.push(keysProblem('the same secret appears under two key ids'));
  return problems;
}

/**
 * The keyring the engine runs with: the configured one when it is secret enough, the public demo
 * keyring in demo mode when none is set. Otherwise throws, naming the settings, never a value.
 */
export function engineKeyring(keyring: PseudonymKeyring | undefined, demoMode: boolean): PseudonymKeyring {
  if (keyring === undefined) {
    if (demoMode) return DEMO_PSEUDONYM_KEYRING;
    throw new Error(
      `${PSEUDONYM_KEYS_VARIABLE} is unset: set a keyring of secret keys and ${ACTIVE_KEY_VARIABLE} (or GOVERN_DEMO_MODE=true for a demo)`,
    );
  }
  const problems = shapeProblems(keyring);
  if (!demoMode) problems.push(...keyringWeaknesses(keyring));
  if (problems.length > 0) throw new Error(describeKeyringProblems(problems).join('; '));
  return keyring;
}
