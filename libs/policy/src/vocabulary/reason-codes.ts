/**
 * Closed set of reason codes for attribute decisions. Each code has plain words for the DPO;
 * the rule number that decided is recorded next to it.
 */
export const REASON_CODES = {
  'undeclared-attribute': 'the attribute is not declared for this source event type, so it never leaves',
  'not-requested': 'the destination did not ask for this field (data minimisation)',
  'purpose-not-collected-for':
    "the attribute was not collected for any of the destination's purposes (purpose limitation)",
  'no-consent': 'the purpose rests on consent and the person has given no valid consent for it',
  'consent-invalid': 'the consent evidence for this purpose was not valid',
  'consent-withdrawn': 'the person withdrew consent for this purpose',
  'consent-expired': 'the consent is older than the maximum age',
  'collected-before-basis': 'the data was collected before the consent for this purpose existed',
  objection: 'the person objected to direct marketing',
  'no-contact-permission': 'the person may not be contacted by this channel, brand and product group',
  'messages-lack-opt-out':
    "the destination's messages do not all carry an easy, free opt-out, so nobody may be contacted through it",
  'basis-consent': 'valid consent covers this purpose',
  'basis-fixed': 'the purpose rests on a non-consent legal basis fixed in the purpose registry',
  'compatibility-assessment': 'a registered Art. 6(4) compatibility assessment covers this further use',
} as const;

/** One of the keys of {@link REASON_CODES}. */
export type ReasonCode = keyof typeof REASON_CODES;
