/** Topic naming in one place so engine, CLI and audit agree. */
export const CONSENT_EVIDENCE_TOPIC = 'consent.evidence';
export const LINEAGE_TOPIC = 'governance.lineage';
export const DEAD_LETTER_TOPIC = 'governance.dead-letter';
export const CONSENT_STATE_CHANGELOG_TOPIC = 'governance.consent-state.changelog';
/**
 * The full text of every policy version the engine enforced, keyed by version and compacted: with
 * the lineage it explains any decision from Kafka alone.
 */
export const POLICY_VERSIONS_TOPIC = 'governance.policy-versions';

/**
 * R23's anonymous counts: each decision task writes the counted events' contributions here, keyed
 * by count key, and the task owning the key's partition counts them (co-partitioned with the inputs).
 */
export const AGGREGATE_CONTRIBUTIONS_TOPIC = 'governance.aggregate-contributions';
/** The counting tasks' state (counts per key, and what each has counted of every input partition). */
export const AGGREGATE_CHANGELOG_TOPIC = 'governance.aggregate.changelog';

/** Default topic of an aggregate output. */
export function aggregateTopic(aggregate: string): string {
  return `governed.${aggregate}`;
}

/** Default source topic for a declared source system. */
export function sourceTopic(source: string): string {
  return `source.${source}`;
}
