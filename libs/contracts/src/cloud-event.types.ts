/**
 * CloudEvents 1.0 envelope as it travels on Kafka (structured mode JSON, or binary mode `ce_*` headers).
 * `time` is when the data was collected; every decision about the event is taken as of that time.
 */
export interface CloudEvent<TData = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** RFC 3339 timestamp: when the data was collected (or the consent given). */
  readonly time: string;
  /** The subject key (a person's CRM id, or a cookie id before identity linking). */
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: TData;
}

/** The CloudEvent `type` that carries our consent evidence contract as `data`. */
export const CONSENT_EVIDENCE_EVENT_TYPE = 'consent.evidence';
