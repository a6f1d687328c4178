/**
 * A fast lookup over a subject's `seen` list (the last N event and evidence ids, kept in the consent
 * state for the changelog). Why: the duplicate check ran `seen.includes(id)` over up to
 * `duplicateWindow` (256) strings on every event, one of the largest items of the bench profile;
 * a Map per subject was no better (hundreds of thousands of small hash tables miss the cache).
 * Instead a packed array of 31-bit string hashes runs parallel to the list: a scan of small
 * integers, with a string comparison only when a hash matches. The list stays the source of truth
 * and keeps its exact content; the hashes are rebuilt whenever the list was replaced or changed
 * behind the window's back.
 */
// Placeholder until the first sync (which always replaces it): no array allocated per new subject.
const NO_HASHES: number[] = [];

export class DuplicateWindow {
  private hashes: number[] = NO_HASHES;
  private list: string[] | null = null;
  private length = -1;

  /** `h` is {@link hashOf}(id), computed once by the caller for both has and push. */
  has(seen: string[], id: string, h: number): boolean {
    if (seen.length === 0) return false;
    const hashes = this.sync(seen);
    for (let i = 0; i < hashes.length; i++) if (hashes[i] === h && seen[i] === id) return true;
    return false;
  }

  /** Appends `id` (hash `h`) and drops the oldest ids beyond `window`, as the plain list always did. */
  push(seen: string[], id: string, h: number, window: number): void {
    const hashes = this.sync(seen);
    seen.push(id);
    hashes.push(h);
    if (seen.length > window) {
      seen.shift();
      hashes.shift();
    }
    this.length = seen.length;
  }

  private sync(seen: string[]): number[] {
    if (this.list === seen && this.length === seen.length) return this.hashes;
    const hashes: number[] = [];
    for (let i = 0; i < seen.length; i++) hashes.push(hashOf(seen[i] as string));
    this.hashes = hashes;
    this.list = seen;
    this.length = seen.length;
    return hashes;
  }
}

/** FNV-1a over UTF-16 code units, folded to a small integer (stays an unboxed Smi in V8). */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}
