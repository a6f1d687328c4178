import Ajv, { type ErrorObject } from 'ajv';
import type { CompiledPolicy } from './compiled-policy.types';
import { checkPolicyReferences } from './policy-file.checks';
import { ATTRIBUTE_PATH, DESTINATION_NAME, DOTTED_NAME, TOPIC_NAME } from './name-rules';
import { POLICY_FILE_SCHEMA } from './policy-file.schema';
import { parsePolicyText } from './policy-text';
import type { PolicyFile } from './policy-file.types';
import { compilePolicy } from './policy.compiler';
import { type PolicyError, PolicyLoadError, joinPath, pointerToPath } from './policy-error';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFile = ajv.compile(POLICY_FILE_SCHEMA);

/** What each name pattern means, said in words so an error says how to fix the name. */
const PATTERN_WORDS: Readonly<Record<string, string>> = {
  [DESTINATION_NAME]:
    'a destination name is 1-64 characters: a lowercase letter, then lowercase letters, digits, "_" or "-" (no ":", "/", "\\", "..", spaces or control characters)',
  [TOPIC_NAME]:
    'a Kafka topic name is 1-249 characters: letters, digits, ".", "_" or "-", and not "." or ".."',
  [DOTTED_NAME]:
    'a name is dot-separated lowercase words (letters, digits, "_", "-"), each at most 64 characters, starting with a letter',
  [ATTRIBUTE_PATH]:
    'an attribute path is dot-separated payload keys (letters, digits, "_", "-"), at most eight levels, with at most one array marked "[]" before element members ("lines[].sku")',
};

function patternMessage(pattern: string): string {
  return PATTERN_WORDS[pattern] ?? `must match ${pattern}`;
}

function describe(error: ErrorObject): PolicyError {
  const path = pointerToPath(error.instancePath);
  const p = error.params as Record<string, unknown>;
  // A name (map key) refused by `propertyNames`: the error sits on the map, the name says which.
  if (error.propertyName !== undefined)
    return {
      path: joinPath(path, error.propertyName),
      message: `invalid name: ${patternMessage(String(p.pattern))}`,
    };
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required property "${String(p.missingProperty)}"` };
    case 'additionalProperties':
      return { path: joinPath(path, String(p.additionalProperty)), message: 'unknown property' };
    case 'enum':
      return {
        path,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'pattern':
      return { path, message: patternMessage(String(p.pattern)) };
    case 'propertyName':
      return { path: joinPath(path, String(p.propertyName)), message: 'invalid key' };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** Options for {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Used in error messages and recorded in the compiled policy. */
  readonly fileName?: string;
}

/**
 * Parses, validates and compiles a policy file. Pure: the caller reads the file.
 * @throws PolicyLoadError listing every error by path (YAML syntax, schema, cross references).
 */
export function loadPolicy(text: string, options: LoadPolicyOptions = {}): CompiledPolicy {
  const fileName = options.fileName ?? 'policy.yaml';
  try {
    return loadChecked(text, fileName);
  } catch (e) {
    if (e instanceof PolicyLoadError) throw e;
    // Fail closed with an error by path, never a stack trace: whatever slipped past the checks.
    const name = e instanceof Error ? e.name : 'error';
    throw new PolicyLoadError(fileName, [{ path: '', message: `the policy cannot be loaded (${name})` }]);
  }
}

function loadChecked(text: string, fileName: string): CompiledPolicy {
  const parsed = parsePolicyText(text);
  if (parsed.errors.length > 0) throw new PolicyLoadError(fileName, parsed.errors);
  const raw = parsed.value;
  if (!validateFile(raw)) {
    const seen = new Set<string>();
    const errors = (validateFile.errors ?? [])
      .filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')
      .map(describe)
      .filter((e) => {
        const k = `${e.path}\u0000${e.message}`;
        return seen.has(k) ? false : (seen.add(k), true);
      });
    throw new PolicyLoadError(fileName, errors);
  }
  const file = raw as PolicyFile;
  const refErrors = checkPolicyReferences(file);
  if (refErrors.length > 0) throw new PolicyLoadError(fileName, refErrors);
  const { policy, errors } = compilePolicy(file, text, fileName);
  if (policy === undefined) throw new PolicyLoadError(fileName, errors);
  return policy;
}
