/** Topic naming in one place so engine, CLI and audit agree. */
export const CONSENT_EVIDENCE_TOPIC = 'consent.evidence';
export const LINEAGE_TOPIC = 'governance.lineage';
export const DEAD_LETTER_TOPIC = 'governance.dead-letter';
export const CONSENT_STATE_CHANGELOG_TOPIC = 'governance.consent-state.changelog';

/** Default source topic for a declared source system. */
export function sourceTopic(source: string): string {
  return `source.${source}`;
}
