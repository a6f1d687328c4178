import type { AttributeNode, DeclaredAttribute } from '../policy-file/compiled-policy.types';
import { noteUndeclared, projectValue, type UndeclaredPaths } from './value-projection';

/** One declared attribute found in a payload. */
export interface PresentAttribute {
  readonly attribute: DeclaredAttribute;
  /** Its position in the event type's attributes, which is also its plan's in every destination. */
  readonly index: number;
  /**
   * The value projected onto the sub-fields its schema declares: all of it that may ever leave.
   * For an element attribute ({@link DeclaredAttribute.element}): an {@link ElementValues}.
   */
  readonly value: unknown;
}

/** An element attribute's value: per element of the array, in order, its member's value or undefined. */
export type ElementValues = readonly unknown[];

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
    else if (child.elementAttributes !== undefined) {
      if (Array.isArray(value)) walkElements(child, value, out);
      // A declared array path holding a non-array: named by that declared path.
      else noteUndeclared(out.undeclared, prefix === '' ? key : `${prefix}.${key}`);
    } else if (child.attribute !== undefined) {
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

/** Walks one element's members; anything the element tree does not declare is noted as `<declared>.*`. */
function walkElement(
  node: ReadonlyMap<string, AttributeNode>,
  element: Record<string, unknown>,
  at: string,
  i: number,
  values: Map<number, unknown[]>,
  out: WalkedPayload,
): void {
  for (const key in element) {
    const value = element[key];
    if (value === undefined) continue;
    const child = node.get(key);
    if (child?.attribute !== undefined) {
      const projected = projectValue(value, child.attribute.shape, child.attribute.path, out.undeclared);
      (values.get(child.index as number) as unknown[])[i] = projected;
    } else if (child?.children !== undefined && isPlainObject(value))
      walkElement(child.children, value, `${at}.${key}`, i, values, out);
    // Named by the declared path it was dropped from, never by the input's key (R28).
    else noteUndeclared(out.undeclared, `${at}.*`);
  }
}

/**
 * An array declared by element paths: each element attribute gets one value per element (so one
 * decision covers all of them); elements that are not objects and undeclared members are dropped.
 */
function walkElements(node: AttributeNode, array: readonly unknown[], out: WalkedPayload): void {
  const attributes = node.elementAttributes ?? [];
  const first = attributes[0]?.attribute;
  if (first === undefined || node.elements === undefined) return;
  const at = `${first.segments.join('.')}[]`;
  const values = new Map<number, unknown[]>();
  for (const { index } of attributes) values.set(index, new Array<unknown>(array.length).fill(undefined));
  array.forEach((element, i) => {
    if (isPlainObject(element))
      walkElement(node.elements as Map<string, AttributeNode>, element, at, i, values, out);
    else noteUndeclared(out.undeclared, at);
  });
  for (const { attribute, index } of attributes)
    out.present.push({ attribute, index, value: values.get(index) as ElementValues });
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
