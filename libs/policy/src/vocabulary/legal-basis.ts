/**
 * GDPR Art. 6(1) legal bases, a closed set. The basis is fixed per purpose (R20): there is no
 * fallback from one basis to another.
 */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
] as const;

/** One of {@link LEGAL_BASES}. */
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** Article reference for each basis, for explanations a DPO reads. */
export const LEGAL_BASIS_ARTICLE: Readonly<Record<LegalBasis, string>> = {
  consent: 'Art. 6(1)(a) consent',
  contract: 'Art. 6(1)(b) contract',
  'legal-obligation': 'Art. 6(1)(c) legal obligation',
  'vital-interests': 'Art. 6(1)(d) vital interests',
  'public-task': 'Art. 6(1)(e) public task',
  'legitimate-interests': 'Art. 6(1)(f) legitimate interests',
};
