/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as `Array.prototype.sort` does),
 * no whitespace, `undefined` members left out. The ledger hashes this text, so the same content
 * always gives the same bytes, whatever order a row's fields were built or read back in.
 * Throws on what JSON cannot carry exactly (non-finite numbers, bigints, functions): a ledger row
 * holding such a value would not hash the same after a round trip.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON: a number must be finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
      const members = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot represent a ${typeof value}`);
  }
}
