import type { CompiledPolicy, Purpose } from '../policy-file/compiled-policy.types';
import { REASON_CODES, type ReasonCode } from '../vocabulary/reason-codes';

/** Reasons that give a purpose (or an attribute) a basis: everything else withholds. */
export const PERMITTING_REASONS: ReadonlySet<string> = new Set<ReasonCode>([
  'basis-consent',
  'basis-fixed',
  'compatibility-assessment',
]);

/**
 * Reasons the policy and the event's paths alone determine (not requested, not collected for the
 * destination's purposes, undeclared): the digest leaves them out and the renderer recomputes them.
 */
export const POLICY_DETERMINED_REASONS: ReadonlySet<string> = new Set<ReasonCode>([
  'not-requested',
  'purpose-not-collected-for',
  'undeclared-attribute',
]);

/** Rules a reason code determines on its own; other reasons name their rule in the digest. */
const RULE_OF_REASON: Readonly<Partial<Record<ReasonCode, string>>> = {
  'undeclared-attribute': 'R28',
  'not-requested': 'R28',
  'purpose-not-collected-for': 'R21',
  'consent-withdrawn': 'R18',
  'consent-expired': 'R8',
  'collected-before-basis': 'R22',
  objection: 'R19',
  'messages-lack-opt-out': 'R16',
  'compatibility-assessment': 'R22',
};

/** The rule a reason alone determines, or undefined when the digest must name it. */
export function ruleOfReason(reason: string): string | undefined {
  return RULE_OF_REASON[reason as ReasonCode];
}

/**
 * The rule a purpose's status implies from its reason and the purpose (policy facts): the
 * engagement-tracking purpose answers under R23, a necessary purpose's fixed basis is R6.
 */
export function impliedRule(policy: CompiledPolicy, reason: string, purpose: Purpose): string | undefined {
  const tracking = purpose.key === policy.options.engagementTrackingPurpose;
  if (reason === 'basis-consent') return tracking ? 'R23' : 'R2';
  if (reason === 'no-consent') return tracking ? 'R23' : 'R4';
  if (reason === 'basis-fixed') return purpose.necessary ? 'R6' : 'R20';
  return ruleOfReason(reason);
}

/** A reason code of this core's vocabulary, or undefined (a record this core cannot replay). */
export function knownReason(reason: string): ReasonCode | undefined {
  return Object.hasOwn(REASON_CODES, reason) ? (reason as ReasonCode) : undefined;
}
