import type { ConsentEvidence } from '@app/contracts';

/** A piece of evidence in two parts: what can be shown to an auditor, and what names a person. */
export interface SplitEvidence {
  /** Everything but the identifying fields: kind, form, text hash, action, layer, purposes, scopes… */
  readonly open: Record<string, unknown>;
  /** The subject's key and identifiers, the page URL, an order id; null when there are none. */
  readonly identifying: Record<string, unknown> | null;
}

/**
 * Splits evidence for the ledger. Why: the ledger is append-only, so what could name a person is
 * never stored in the clear; it is sealed under the subject's own key (subject-seal.ts), which
 * erasure destroys (crypto-shredding), while the open part keeps proving what was consented to.
 * The contract carries no IP address, so none is ever stored.
 */
export function splitEvidence(evidence: ConsentEvidence): SplitEvidence {
  const { subject, url, sale, ...rest } = evidence;
  const open: Record<string, unknown> = { ...rest };
  const identifying: Record<string, unknown> = { subject };
  if (url !== undefined) identifying.url = url;
  if (sale !== undefined) {
    const { orderId, ...saleRest } = sale;
    open.sale = saleRest;
    if (orderId !== undefined) identifying.orderId = orderId;
  }
  return { open, identifying };
}
