import { type OutputRecord } from '@app/kafka';
import { type ReleaseLog, type ReleaseLogChanges } from './identity-homes.release';

/**
 * The release log's entries in the homes changelog. Their keys start with the byte 0xFF, which no
 * UTF-8 text (so no subject key, however hostile) starts with: they can never be taken for a table
 * entry, nor a table entry for one of them. Then `r` and the key (its release on record) or `l` and
 * the home (its last routed position); the value is the position as decimal text.
 */
const MARK = 0xff;
const RELEASED = 0x72; // 'r'
const LAST_ROUTED = 0x6c; // 'l'

function logKey(kind: number, key: string): Buffer {
  return Buffer.concat([Buffer.from([MARK, kind]), Buffer.from(key, 'utf8')]);
}

/** True for a key of the release log (not a table entry, not the sequence). */
export function isReleaseLogKey(key: Buffer | null): boolean {
  return key !== null && key.length > 0 && key[0] === MARK;
}

/** The changes as homes-changelog records (placed by the key or home they are about). */
export function releaseLogRecords(
  topic: string,
  changes: ReleaseLogChanges,
  partitionOf: (key: string) => number,
): OutputRecord[] {
  const out: OutputRecord[] = [];
  const add = (kind: number, entries: ReadonlyMap<string, number | null>): void => {
    for (const [key, position] of entries)
      out.push({
        topic,
        key: logKey(kind, key),
        value: position === null ? null : String(position),
        partition: partitionOf(key),
      });
  };
  add(RELEASED, changes.released);
  add(LAST_ROUTED, changes.lastRouted);
  return out;
}

/**
 * Adds one homes-changelog record of the release log to `log` (latest record per key wins, as
 * compaction keeps). An entry that cannot be read counts as absent: without a release on record a
 * group is kept, and without a logged position a home counts as routed at the restored position
 * (both keep more, never less).
 */
export function restoreReleaseLogEntry(
  log: { released: Map<string, number>; lastRouted: Map<string, number> },
  key: Buffer,
  value: Buffer | null,
): void {
  const kind = key[1];
  const map = kind === RELEASED ? log.released : kind === LAST_ROUTED ? log.lastRouted : undefined;
  if (map === undefined) return;
  const name = key.subarray(2).toString('utf8');
  const text = value?.toString('utf8');
  if (text !== undefined && /^\d{1,15}$/.test(text)) map.set(name, Number(text));
  else map.delete(name);
}

/** An empty release log, to restore into. */
export function emptyReleaseLog(): ReleaseLog & {
  released: Map<string, number>;
  lastRouted: Map<string, number>;
} {
  return { released: new Map(), lastRouted: new Map() };
}
