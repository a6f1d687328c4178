/**
 * Duplicate detection over a subject's `seen` list: 53-bit hashes of its last N event ids and
 * consent evidence ids, oldest first, kept in the consent state and so in its changelog.
 *
 * Why hashes and not the ids themselves (state v1 kept the id strings): hundreds of thousands of
 * subjects each retained up to 256 strings, which every garbage collection had to trace and every
 * changelog record had to carry. A list of numbers is one flat block of doubles in V8 and about 16
 * characters per entry in JSON. bench:policy measured the string window at about 2 µs per event,
 * the largest single item of the decision core.
 *
 * The cost: two ids with the same hash look like a duplicate, and the second event is
 * dead-lettered (with its original bytes, so nothing is lost). With 256 hashes per subject the
 * chance is about 256 / 2^53, or 3e-14, per event.
 */

/** Namespaces, so an event id and an evidence id with the same text never match each other. */
const EVENT_SEED = 0;
const EVIDENCE_SEED = 0x65766964;

/**
 * cyrb53 (public domain, by bryc): two 32-bit multiply-xor lanes mixed into a 53-bit integer,
 * which a double holds exactly. Not cryptographic; see the module note for why that is enough.
 */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The `seen` entry of a CloudEvent id. */
export function eventIdHash(eventId: string): number {
  return cyrb53(eventId, EVENT_SEED);
}

/** The `seen` entry of a consent evidence id (a resent piece of evidence under a new event id). */
export function evidenceIdHash(evidenceId: string): number {
  return cyrb53(evidenceId, EVIDENCE_SEED);
}

/** True if `hash` is in the window. */
export function inWindow(seen: readonly number[], hash: number): boolean {
  return seen.includes(hash);
}

/**
 * Appends `hash` and drops the oldest entries beyond `window`; returns the dropped ones, oldest
 * first (so a caller can undo the change without having copied the window before it).
 */
export function addToWindow(seen: number[], hash: number, window: number): readonly number[] {
  seen.push(hash);
  return seen.length > window ? seen.splice(0, seen.length - window) : NOTHING_DROPPED;
}

const NOTHING_DROPPED: readonly number[] = Object.freeze([]);

/**
 * A state v1 window (the id strings, evidence ids as `ev:<id>`) as v2 hashes, in the same order.
 * Used when a changelog written before v2 is restored.
 */
export function windowFromIds(ids: readonly string[]): number[] {
  return ids.map((id) => (id.startsWith('ev:') ? evidenceIdHash(id.slice(3)) : eventIdHash(id)));
}
