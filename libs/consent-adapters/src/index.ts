/**
 * Consent platform adapters: each maps one platform's signal onto the consent evidence contract
 * through the policy's banner declarations, strictly (R5, R6). Pure: no clock, I/O or framework;
 * the receive time and the subject come from the capturing endpoint in a {@link CaptureContext}.
 * Each returns evidence that passed the same contract schema the core applies, or a typed refusal
 * with a code and a path (never an input value).
 */
export {
  REFUSAL_CODES,
  type AdapterRefusal,
  type AdapterResult,
  type CaptureContext,
  type RefusalCode,
} from './adapter.types';
export { adaptOwnBanner, type OwnBannerPayload } from './own-banner.adapter';
export {
  adaptTcf,
  decodeTcString,
  type TcfAdapterResult,
  type TcfConfig,
  type TcfSummary,
} from './tcf.adapter';
export { adaptConsentMode } from './consent-mode.adapter';
export { adaptCookiebot } from './cookiebot.adapter';
export { adaptOneTrust, type OneTrustPayload } from './onetrust.adapter';
export { adaptGpc } from './gpc.adapter';
export { parseCookiebotCookie } from './cookiebot-cookie';
