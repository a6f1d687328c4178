import type { CompiledPolicy } from '../policy-file/compiled-policy.types';
import type { DestinationDecision } from './destination-decision';
import { LEGAL_BASIS_ARTICLE, type LegalBasis } from '../vocabulary/legal-basis';
import { REASON_CODES } from '../vocabulary/reason-codes';

/**
 * Explains one destination decision in words a DPO understands, one line per attribute, with the
 * rule numbers (docs/rules.md). Never prints attribute values.
 */
export function explainDecision(policy: CompiledPolicy, eventId: string, d: DestinationDecision): string[] {
  const lines = [
    `Event ${eventId} -> destination "${d.destination.name}" (policy ${policy.version}): ${d.outcome}.`,
  ];
  if (d.contact !== null) {
    const c = d.contact;
    lines.push(
      c.mayContact
        ? `  Contact: the person may be e-mailed (${c.basis === 'soft-opt-in' ? 'soft opt-in after a purchase' : 'marketing consent'}, evidence ${c.evidenceId ?? '-'}, ${c.rule}).`
        : `  Contact: the person may NOT be contacted on ${d.destination.channel} (${c.rule}${c.evidenceId === null ? '' : `, evidence ${c.evidenceId}`}).`,
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
    lines.push(`  ${a.path}: ${verb}${purpose}: ${REASON_CODES[a.reason]}${evidence} [${a.rule}].`);
  }
  return lines;
}
