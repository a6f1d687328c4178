import type { CompiledPolicy, EventTypeSpec } from '../policy-file/compiled-policy.types';

/**
 * One counted event's share of an aggregate (R23): which count it adds one to. No subject, event
 * id, time of day, IP or user agent: only the campaign, the event type and the event-time day.
 */
export interface AggregateContribution {
  readonly aggregate: string;
  readonly campaign: string;
  readonly source: string;
  readonly type: string;
  /** Event-time day, UTC (`YYYY-MM-DD`). */
  readonly day: string;
}

/** Longest campaign id counted: a campaign id is short; anything longer is not counted. */
export const MAX_CAMPAIGN_LENGTH = 256;

/**
 * What a decided engagement event adds to each declared aggregate. Every decided open and click is
 * counted, whether or not it was forwarded as a personal event (R23 keeps the personal event only
 * with the tracking consent; the anonymous count needs none). An event whose campaign attribute is
 * absent, empty or longer than {@link MAX_CAMPAIGN_LENGTH} is not counted.
 */
export function contributionsOf(
  policy: CompiledPolicy,
  spec: EventTypeSpec,
  data: unknown,
  t: number,
): AggregateContribution[] {
  if (!spec.engagement || policy.aggregates.length === 0) return [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const day = new Date(t).toISOString().slice(0, 10);
  const out: AggregateContribution[] = [];
  for (const a of policy.aggregates) {
    const campaign = Object.hasOwn(data, a.by) ? (data as Record<string, unknown>)[a.by] : undefined;
    if (typeof campaign !== 'string' || campaign.length === 0 || campaign.length > MAX_CAMPAIGN_LENGTH)
      continue;
    out.push({ aggregate: a.name, campaign, source: spec.source, type: spec.type, day });
  }
  return out;
}

/** The key a contribution is counted under (and placed by): unambiguous JSON of its parts. */
export function countKeyOf(c: AggregateContribution): string {
  return JSON.stringify([c.aggregate, c.campaign, c.source, c.type, c.day]);
}

/** A contribution read back from its key, or null when the key is not one (`countKeyOf`). */
export function contributionOfKey(key: string): AggregateContribution | null {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length !== 5 || !parts.every((p) => typeof p === 'string')) return null;
  const [aggregate, campaign, source, type, day] = parts as string[];
  return { aggregate, campaign, source, type, day } as AggregateContribution;
}
