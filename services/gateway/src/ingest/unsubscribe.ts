import { randomUUID } from 'node:crypto';
import {
  CONSENT_EVIDENCE_EVENT_TYPE,
  type ConsentEvidence,
  type EngagementKeys,
  openEngagementToken,
} from '@app/contracts';
import { type CompiledPolicy, decodeStructured } from '@app/policy';
import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { type EventProducer } from './event-producer';
import { produceOrFail } from './produce';

/** What the evidence of an unsubscribe link says it withdraws: e-mail marketing, every brand and product group. */
const EMAIL_MARKETING = { marketing: { channels: ['email'] } } as const;

/**
 * The unsubscribe link of a marketing e-mail (`List-Unsubscribe`, RFC 8058 one-click POST): a valid
 * unsubscribe token becomes a withdrawal of e-mail marketing for the recipient, at the receive time,
 * on the evidence topic. The engine then suppresses the person on every destination that relied on
 * it (R18). Why the whole channel: the link says "no more e-mails from us"; a narrower withdrawal
 * (one product group) is the preference centre's. Withdrawing must be as easy as consenting: no
 * login, one request.
 */
export class UnsubscribeCapture {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly topicPrefix: string,
    private readonly evidenceSource: string,
    private readonly keys: EngagementKeys | null,
    private readonly producer: EventProducer,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** True when the token is one this gateway can act on (the confirmation page checks it). */
  valid(token: string): boolean {
    return this.keys !== null && openEngagementToken(this.keys, token) !== null;
  }

  /** Records the withdrawal; resolves once the broker acknowledged it. */
  async unsubscribe(token: string, nowMs: number): Promise<string> {
    const claims = this.keys === null ? null : openEngagementToken(this.keys, token);
    if (claims === null) {
      this.metrics.refusals.inc({ endpoint: 'unsubscribe', code: 'bad-token' });
      throw new GatewayError(400, 'bad-token', 'token: not an unsubscribe token minted for this gateway');
    }
    const receivedAt = new Date(nowMs).toISOString();
    const evidence: ConsentEvidence = {
      evidenceId: randomUUID(),
      kind: 'withdrawal',
      subject: { key: claims.subjectKey },
      timestamp: receivedAt,
      cmp: 'list-unsubscribe',
      action: 'unsubscribe_clicked',
      sourceChannel: 'email-link',
      withdrawal: EMAIL_MARKETING,
    };
    const value = JSON.stringify({
      specversion: '1.0',
      id: evidence.evidenceId,
      source: this.evidenceSource,
      type: CONSENT_EVIDENCE_EVENT_TYPE,
      time: receivedAt,
      subject: claims.subjectKey,
      datacontenttype: 'application/json',
      data: evidence,
    });
    const decoded = decodeStructured(this.policy, value, this.policy.evidenceTopic);
    if (decoded.kind !== 'evidence' || decoded.unreadable !== null) {
      this.metrics.refusals.inc({ endpoint: 'unsubscribe', code: 'contract' });
      throw new GatewayError(400, 'bad-token', 'token: its recipient cannot be named in evidence');
    }
    await produceOrFail(
      this.producer,
      this.metrics,
      'unsubscribe',
      `${this.topicPrefix}${this.policy.evidenceTopic}`,
      [{ key: decoded.subject, value }],
    );
    return evidence.evidenceId;
  }
}
