/**
 * What a compacted topic keeps of `records` once the broker has compacted it: the last record per
 * key, in the order of those last writes. `govern dry-run` writes a destination's suppression file
 * this way, and the tests reduce what they read from a suppression topic the same way, so both sides
 * of the stream = dry-run comparison use one definition of "latest".
 */
export function latestPerKey<T extends { readonly key: string | null }>(records: Iterable<T>): T[] {
  const latest = new Map<string | null, T>();
  for (const r of records) {
    // Delete first so the key moves to the position of its latest write.
    latest.delete(r.key);
    latest.set(r.key, r);
  }
  return [...latest.values()];
}
