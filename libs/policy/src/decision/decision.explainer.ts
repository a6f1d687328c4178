import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { RenderedDecision } from '@app/contracts/lineage-record.types';
import { LEGAL_BASIS_ARTICLE, type LegalBasis } from '../vocabulary/legal-basis';
import { REASON_CODES, type ReasonCode } from '../vocabulary/reason-codes';

/**
 * Explains one destination decision, as rendered from the lineage, in words a DPO understands, one
 * line per attribute, with the rule numbers (docs/rules.md). Never prints attribute values.
 */
export function explainDecision(policy: CompiledPolicy, d: RenderedDecision): string[] {
  const channel = policy.destinationsByName.get(d.destination)?.channel ?? 'none';
  const lines = [
    `Event ${d.eventId} -> destination "${d.destination}" (policy ${d.policyVersion}): ${d.outcome}.`,
  ];
  if (d.contact !== undefined) {
    const c = d.contact;
    lines.push(
      c.mayContact
        ? `  Contact: the person may be e-mailed (${c.basis === 'soft-opt-in' ? 'soft opt-in after a purchase' : 'marketing consent'}, evidence ${c.evidenceId ?? '-'}, ${c.rule}).`
        : `  Contact: the person may NOT be contacted on ${channel} (${c.rule}${c.evidenceId === null ? '' : `, evidence ${c.evidenceId}`}).`,
    );
    lines.push(
      c.trackOpens
        ? '  Open tracking: allowed, the person consented to engagement tracking (R23).'
        : '  Open tracking: not allowed, no consent to engagement tracking (R23).',
    );
  }
  for (const a of d.attributes) {
    const basis = a.legalBasis === null ? '' : ` on ${LEGAL_BASIS_ARTICLE[a.legalBasis as LegalBasis]}`;
    const purpose = a.purpose === null ? '' : ` for purpose "${a.purpose}"${basis}`;
    const evidence = a.evidenceId === null ? '' : ` (evidence ${a.evidenceId})`;
    const verb =
      a.outcome === 'forward'
        ? 'FORWARDED'
        : a.outcome === 'pseudonymise'
          ? 'FORWARDED AS PSEUDONYM'
          : 'WITHHELD';
    lines.push(
      `  ${a.path}: ${verb}${purpose}: ${REASON_CODES[a.reason as ReasonCode] ?? a.reason}${evidence} [${a.rule}].`,
    );
  }
  return lines;
}
