import { type RetentionDays } from '../store/lineage-partitions';
import { type Queryable } from '../store/lineage.queries';
import { type PolicyCache } from './policy-cache';

/** The retention the store applies, and where it comes from. */
export interface LineageRetention {
  readonly days: RetentionDays;
  /** The policy version that declares it; null when the service's setting applies. */
  readonly declaredBy: string | null;
}

/**
 * The retention the newest stored policy version declares (`options.lineageRetentionDays`), else
 * the service's setting: when no version is stored yet, when the newest declares none, or when its
 * text does not load (records are then kept by the setting rather than by a guess).
 */
export async function lineageRetention(
  db: Queryable,
  policies: PolicyCache,
  settingDays: number,
): Promise<LineageRetention> {
  const { rows } = await db.query<{ policy_version: string }>(
    `select policy_version from audit_policy_version order by first_seen_at desc, policy_version desc limit 1`,
  );
  const version = rows[0]?.policy_version;
  const policy = version === undefined ? undefined : await policies.get(db, version);
  const declared = policy?.options.lineageRetentionDays;
  return declared === undefined || version === undefined
    ? { days: settingDays, declaredBy: null }
    : { days: declared, declaredBy: version };
}
