import { type OutputRecord } from '@app/kafka';
import { type ChangedState } from './step-changelog';

/**
 * A decision task's word to the identity router: "after the routed records up to `position`, task
 * `partition` holds no state for `key`" (its sweep forgot the subject). The router feeds it to
 * `HomeReleases`, which drops a home group once every key of it is released after the group's last
 * routed record.
 */
export interface IdentityRelease {
  readonly key: string;
  readonly position: number;
  readonly partition: number;
}

/**
 * The releases a step writes: each key its sweep forgot whose state is still gone when the step
 * ends (a later record of the step may have made it anew), at the route position of the record
 * whose sweep forgot it last. Written in the step's transaction, beside the key's tombstone.
 */
export function sweptReleases(
  swept: ReadonlyMap<string, number>,
  changed: ReadonlyMap<string, ChangedState>,
  partition: number,
): IdentityRelease[] {
  const out: IdentityRelease[] = [];
  for (const [key, position] of swept)
    if (changed.has(key) && changed.get(key)?.state === null) out.push({ key, position, partition });
  return out;
}

/** The release as a record of the release topic, keyed by the key (compaction keeps the latest). */
export function releaseRecord(
  topic: string,
  release: IdentityRelease,
  partitionOnTopic: number | undefined,
): OutputRecord {
  return {
    topic,
    key: release.key,
    value: JSON.stringify({ position: release.position, partition: release.partition }),
    partition: partitionOnTopic,
  };
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads a record of the release topic; null for anything that is not a well-formed release (a
 * tombstone, a foreign or damaged record): it is ignored, which keeps the group (fails closed).
 */
export function parseRelease(key: Buffer | null, value: Buffer | null): IdentityRelease | null {
  if (key === null || value === null || key.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { position, partition } = parsed as { position?: unknown; partition?: unknown };
  if (!count(position) || !count(partition)) return null;
  return { key: key.toString('utf8'), position, partition };
}
