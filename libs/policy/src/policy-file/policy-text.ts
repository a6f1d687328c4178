import { type Document, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { isReservedName } from './name-rules';
import { type PolicyError, joinPath } from './policy-error';

/** Largest policy file accepted; checked before parsing so parse time stays bounded. */
export const MAX_POLICY_BYTES = 1_048_576;
/** Aliases expanded at most; more is how an alias bomb ("billion laughs") starts. */
const MAX_ALIASES = 100;
/** Deepest nesting accepted; the policy format needs far fewer levels. */
const MAX_DEPTH = 64;
/** Errors reported per file: a hostile file can produce thousands, one screenful says enough. */
const MAX_ERRORS = 20;

function cap(errors: PolicyError[]): PolicyError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_ERRORS),
    { path: '', message: `... and ${errors.length - MAX_ERRORS} more error(s)` },
  ];
}

/** Our path (`sources.crm.types`) of the node at the end of a visitor's ancestor list. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  let path = '';
  for (let i = 0; i < chain.length; i++) {
    const a = chain[i];
    if (isPair(a)) path = joinPath(path, isScalar(a.key) ? String(a.key.value) : '?');
    else if (isSeq(a) && i + 1 < chain.length) path = joinPath(path, a.items.indexOf(chain[i + 1] as never));
  }
  return path;
}

/** Keys that are not plain names, explicit tags, and names that are JavaScript object keys. */
function checkNodes(doc: Document): PolicyError[] {
  const errors: PolicyError[] = [];
  visit(doc, {
    Pair(_, pair, ancestors) {
      const path = pathOf(ancestors, pair);
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        if (!(isScalar(pair.key) && typeof pair.key.value === 'number'))
          errors.push({ path, message: 'keys must be plain names' });
      } else if (isReservedName(pair.key.value)) {
        // Read into a plain object, such a key changes what every lookup of the object finds.
        errors.push({
          path,
          message: `"${pair.key.value}" is a reserved name (a JavaScript object key); rename it`,
        });
      }
    },
    Node(_, node, ancestors) {
      // Custom and type tags (!!binary, !!set, !foo) build values the policy format does not have.
      if (node.tag !== undefined)
        errors.push({ path: pathOf(ancestors, node), message: `tag ${node.tag} is not allowed` });
    },
  });
  return errors;
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return depth;
  let max = depth;
  for (const v of Object.values(value)) max = Math.max(max, depthOf(v, depth + 1));
  return max;
}

/**
 * Parses policy YAML into plain data, refusing what a policy never needs and an attacker would
 * use: files over {@link MAX_POLICY_BYTES}, syntax errors and duplicate keys, tags, alias bombs,
 * deep nesting and keys that are JavaScript object keys. Never throws: problems come back by path.
 */
export function parsePolicyText(text: string): { value?: unknown; errors: PolicyError[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES)
    return {
      errors: [{ path: '', message: `the file is ${bytes} bytes; at most ${MAX_POLICY_BYTES} are accepted` }],
    };
  let doc: Document;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    return {
      errors: [{ path: '', message: `YAML syntax: cannot parse (${e instanceof Error ? e.name : 'error'})` }],
    };
  }
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return {
      errors: cap(
        problems.map((e) => ({
          path: e.linePos ? `line ${e.linePos[0].line}` : '',
          message: `YAML syntax: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        })),
      ),
    };
  }
  const nodeErrors = checkNodes(doc);
  if (nodeErrors.length > 0) return { errors: cap(nodeErrors) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const message =
      e instanceof ReferenceError
        ? `too many alias expansions (at most ${MAX_ALIASES}); write the values out`
        : 'the document cannot be read';
    return { errors: [{ path: '', message: `YAML: ${message}` }] };
  }
  if (depthOf(value) > MAX_DEPTH)
    return { errors: [{ path: '', message: `nested more than ${MAX_DEPTH} levels deep` }] };
  return { value, errors: [] };
}
