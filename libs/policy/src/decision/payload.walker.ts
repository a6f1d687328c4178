import type { AttributeNode, DeclaredAttribute } from '../policy-file/compiled-policy.types';

/** One declared attribute found in a payload. */
export interface PresentAttribute {
  readonly attribute: DeclaredAttribute;
  /** Its position in the event type's attributes, which is also its plan's in every destination. */
  readonly index: number;
  readonly value: unknown;
}

/** Attributes found in a payload, in payload order, and the paths nobody declared. */
export interface WalkedPayload {
  readonly present: PresentAttribute[];
  /** Paths only, never values: undeclared attributes never leave (R28). */
  readonly undeclared: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (child === undefined) out.undeclared.push(path);
    else if (child.attribute !== undefined)
      out.present.push({ attribute: child.attribute, index: child.index as number, value });
    else if (child.children !== undefined && isPlainObject(value)) walk(child.children, value, path, out);
    else out.undeclared.push(path);
  }
}

/** Walks a payload once against the declared attribute tree of its event type. */
export function walkPayload(tree: ReadonlyMap<string, AttributeNode>, data: unknown): WalkedPayload {
  const out: WalkedPayload = { present: [], undeclared: [] };
  if (isPlainObject(data)) walk(tree, data, '', out);
  return out;
}
