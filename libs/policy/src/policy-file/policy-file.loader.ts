import Ajv, { type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import type { CompiledPolicy } from './compiled-policy.types';
import { checkPolicyReferences } from './policy-file.checks';
import { POLICY_FILE_SCHEMA } from './policy-file.schema';
import type { PolicyFile } from './policy-file.types';
import { compilePolicy } from './policy.compiler';
import { type PolicyError, PolicyLoadError, joinPath, pointerToPath } from './policy-error';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFile = ajv.compile(POLICY_FILE_SCHEMA);

function describe(error: ErrorObject): PolicyError {
  const path = pointerToPath(error.instancePath);
  const p = error.params as Record<string, unknown>;
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
      return { path, message: `must match ${String(p.pattern)}` };
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
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PolicyLoadError(
      fileName,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}` : '',
        message: `YAML syntax: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  if (!validateFile(raw)) {
    const seen = new Set<string>();
    const errors = (validateFile.errors ?? [])
      .filter((e) => e.keyword !== 'if')
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
