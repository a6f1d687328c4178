/**
 * What of an attribute's value may leave, read from its event type's JSON Schema at load time.
 * A declared attribute may hold an object or an array; only the sub-fields its schema declares
 * (`properties`, recursively; array elements by `items`) are part of it. Everything else inside
 * is undeclared personal data and never leaves (R28).
 */
export interface ValueShape {
  /** Declared members of an object value. Absent: no member is declared, every one is dropped. */
  readonly properties?: ReadonlyMap<string, ValueShape>;
  /** Shape of each element of an array value. Absent: elements keep scalars only. */
  readonly items?: ValueShape;
}

/** The shape of a value whose schema declares no sub-fields: scalars pass, members are dropped. */
export const NO_MEMBERS: ValueShape = Object.freeze({});

type Schema = Record<string, unknown>;

function asSchema(v: unknown): Schema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : undefined;
}

/** The schema and the subschemas it combines (`allOf`, `anyOf`, `oneOf`): a member any declares is declared. */
function parts(schema: Schema, out: Schema[] = [], depth = 0): Schema[] {
  out.push(schema);
  if (depth > 8) return out;
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[k];
    if (Array.isArray(list))
      for (const s of list) {
        const sub = asSchema(s);
        if (sub !== undefined) parts(sub, out, depth + 1);
      }
  }
  return out;
}

function allows(schema: Schema, type: string): boolean {
  const t = schema.type;
  if (t === undefined) return true;
  return Array.isArray(t) ? t.includes(type) : t === type;
}

/** A shape, and whether its schema lets undeclared members through (for a `govern validate` warning). */
export interface ShapeReading {
  readonly shape: ValueShape;
  readonly open: boolean;
}

/**
 * Reads the shape of the value a (sub)schema describes. `open` is true when the schema accepts
 * object members it does not declare (`additionalProperties` not false, `patternProperties`), or
 * arrays whose elements it does not describe, or when it combines schemas in ways this reading
 * does not follow (`$ref`, `not`, `if`); such members are dropped when forwarded.
 */
export function readShape(schema: unknown): ShapeReading {
  const root = asSchema(schema);
  if (root === undefined) return { shape: NO_MEMBERS, open: true };
  const all = parts(root);
  const properties = new Map<string, ValueShape>();
  const itemSchemas: Schema[] = [];
  let open = all.length > 1 || ['$ref', '$dynamicRef', 'not', 'if'].some((k) => k in root);
  for (const part of all) {
    const props = asSchema(part.properties);
    for (const [name, sub] of Object.entries(props ?? {})) {
      const r = readShape(sub);
      if (r.open) open = true;
      // Declared in two combined branches: the first reading wins; both declare the member.
      if (!properties.has(name)) properties.set(name, r.shape);
    }
    if (allows(part, 'object') && (part.additionalProperties !== false || 'patternProperties' in part))
      open = true;
    const items = asSchema(part.items);
    if (items !== undefined) itemSchemas.push(items);
    else if (allows(part, 'array')) open = true;
  }
  let items: ValueShape | undefined;
  if (itemSchemas.length > 0) {
    const r = readShape(itemSchemas.length === 1 ? itemSchemas[0] : { anyOf: itemSchemas });
    if (r.open) open = true;
    items = r.shape;
  }
  const shape: ValueShape = {
    ...(properties.size > 0 ? { properties } : {}),
    ...(items !== undefined ? { items } : {}),
  };
  return { shape, open };
}

/** The subschema at a dotted attribute path (`page.url`), following `properties`; undefined if undeclared. */
export function schemaAt(schema: unknown, segments: readonly string[]): unknown {
  let node: unknown = schema;
  for (const segment of segments) {
    const s = asSchema(node);
    if (s === undefined) return undefined;
    node = parts(s)
      .map((p) => asSchema(p.properties))
      .find((p) => p !== undefined && Object.hasOwn(p, segment))?.[segment];
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * The element schema of the array at `segments` (its `items`, in any combined branch), or undefined
 * when the schema there does not describe an array of items.
 */
export function itemsSchemaAt(schema: unknown, segments: readonly string[]): unknown {
  const at = asSchema(schemaAt(schema, segments));
  if (at === undefined) return undefined;
  return parts(at)
    .map((p) => asSchema(p.items))
    .find((items) => items !== undefined);
}

/** True when the schema at `segments` accepts arrays and nothing else (`type: array`). */
export function isArraySchemaAt(schema: unknown, segments: readonly string[]): boolean {
  const at = asSchema(schemaAt(schema, segments));
  if (at === undefined) return false;
  const t = at.type;
  return t === 'array' || (Array.isArray(t) && t.length > 0 && t.every((x) => x === 'array' || x === 'null'));
}
