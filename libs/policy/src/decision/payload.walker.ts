import type { AttributeNode, DeclaredAttribute } from '../policy-file/compiled-policy.types';
import { noteUndeclared, projectValue, type UndeclaredPaths } from './value-projection';

/** One declared attribute found in a payload. */
export interface PresentAttribute {
  readonly attribute: DeclaredAttribute;
  /** Its position in the event type's attributes, which is also its plan's in every destination. */
  readonly index: number;
  /** The value projected onto the sub-fields its schema declares: all of it that may ever leave. */
  readonly value: unknown;
}

/** Attributes found in a payload, in payload order, and what nobody declared. */
export interface WalkedPayload {
  readonly present: PresentAttribute[];
  /** Paths only, never values, named up to a cap and counted: undeclared content never leaves (R28). */
  readonly undeclared: UndeclaredPaths;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Notes an undeclared member of the object at the declared path `prefix` (the payload itself when
 * empty) as `<prefix>.*` (`*` at the top): named by declared names only, never by its input key,
 * because a key can itself be personal data (an e-mail address used as a key).
 */
function undeclaredMember(out: WalkedPayload, prefix: string): void {
  noteUndeclared(out.undeclared, prefix === '' ? '*' : `${prefix}.*`);
}

function walk(
  node: ReadonlyMap<string, AttributeNode>,
  data: Record<string, unknown>,
  prefix: string,
  out: WalkedPayload,
): void {
  for (const key in data) {
    const value = data[key];
    if (value === undefined) continue;
    const child = node.get(key);
    if (child === undefined) undeclaredMember(out, prefix);
    else if (child.attribute !== undefined) {
      const { attribute } = child;
      const projected = projectValue(value, attribute.shape, attribute.path, out.undeclared);
      out.present.push({ attribute, index: child.index as number, value: projected });
    } else {
      // Only declared keys get here, so `path` holds no input content.
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (child.children !== undefined && isPlainObject(value)) walk(child.children, value, path, out);
      // A declared intermediate path (`page` of `page.url`) holding a non-object: named by that path.
      else noteUndeclared(out.undeclared, path);
    }
  }
}

/**
 * Walks a payload once against the declared attribute tree of its event type. Declared
 * attributes are projected onto their schema's sub-fields on the way (R28).
 */
export function walkPayload(tree: ReadonlyMap<string, AttributeNode>, data: unknown): WalkedPayload {
  const out: WalkedPayload = { present: [], undeclared: { listed: [], total: 0 } };
  if (isPlainObject(data)) walk(tree, data, '', out);
  return out;
}
