import { randomUUID } from 'node:crypto';
import { type EngagementClaims, type EngagementKeys, openEngagementToken } from '@app/contracts';
import { type CompiledPolicy, decodeStructured } from '@app/policy';
import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { type EventProducer } from './event-producer';
import { type ProducingEndpoint, produceOrFail } from './produce';

/** The 1×1 transparent GIF every pixel request gets, whatever its token. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const MAX_USER_AGENT = 512;

/**
 * The open pixel and the tracked link: a valid token becomes an `email.opened` or `email.clicked`
 * event of the engagement source, keyed by the recipient's subject key, at the server's receive
 * time. Personal engagement events are the engine's to gate: it forwards them only with the
 * engagement-tracking consent (R23). The gateway never answers differently for a valid or invalid
 * pixel token, so the pixel tells a reader nothing.
 */
export class EngagementCapture {
  private readonly topic: string;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly topicPrefix: string,
    private readonly source: string,
    private readonly keys: EngagementKeys | null,
    private readonly allowedHosts: ReadonlySet<string>,
    private readonly producer: EventProducer,
    private readonly metrics: GatewayMetrics,
  ) {
    const types = policy.eventTypesBySource.get(source);
    // Checked only when the endpoints are on: a policy without e-mail engagement needs no secret.
    if (keys !== null)
      for (const type of ['email.opened', 'email.clicked'])
        if (types?.get(type)?.engagement !== true)
          throw new Error(
            `GATEWAY_ENGAGEMENT_SOURCE: the policy source must declare ${type} with engagement: true`,
          );
    this.topic = policy.sourceTopics.get(source) ?? '';
  }

  /** Records an open if the token is valid; never rejects (a bad token or an absent broker is counted). */
  async opened(token: string, userAgent: string | undefined, nowMs: number): Promise<void> {
    const claims = this.claimsOf(token, 'pixel');
    if (claims === null) return;
    const data = {
      campaignId: claims.campaignId,
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, MAX_USER_AGENT) }),
    };
    await this.produce('pixel', 'email.opened', claims, data, nowMs).catch(() => undefined);
  }

  /**
   * Records a click and returns where to send the reader: only to an https target on the
   * allow-list (no open redirect). A bad token or target is a 400 and records nothing.
   */
  async clicked(token: string, nowMs: number): Promise<string> {
    const claims = this.claimsOf(token, 'click');
    if (claims === null || claims.link === undefined)
      throw new GatewayError(400, 'bad-token', 'token: not a link token minted for this gateway');
    const target = new URL(claims.link);
    if (target.protocol !== 'https:' || !this.allowedHosts.has(target.hostname.toLowerCase())) {
      this.metrics.refusals.inc({ endpoint: 'click', code: 'target-not-allowed' });
      throw new GatewayError(
        400,
        'target-not-allowed',
        'the link target is not an https host on GATEWAY_CLICK_HOSTS',
      );
    }
    // The reader reaches the target even when the broker is away: the click is then not recorded.
    await this.produce(
      'click',
      'email.clicked',
      claims,
      { campaignId: claims.campaignId, linkUrl: claims.link },
      nowMs,
    ).catch(() => undefined);
    return target.toString();
  }

  private claimsOf(token: string, endpoint: ProducingEndpoint): EngagementClaims | null {
    if (this.keys === null) {
      this.metrics.refusals.inc({ endpoint, code: 'not-configured' });
      return null;
    }
    const claims = openEngagementToken(this.keys, token);
    if (claims === null) this.metrics.refusals.inc({ endpoint, code: 'bad-token' });
    return claims;
  }

  private async produce(
    endpoint: ProducingEndpoint,
    type: string,
    claims: EngagementClaims,
    data: Record<string, string>,
    nowMs: number,
  ): Promise<void> {
    const value = JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: this.source,
      type,
      time: new Date(nowMs).toISOString(),
      subject: claims.subjectKey,
      datacontenttype: 'application/json',
      data,
    });
    const decoded = decodeStructured(this.policy, value, this.topic);
    if (decoded.kind !== 'source') {
      this.metrics.refusals.inc({
        endpoint,
        code: decoded.kind === 'rejected' ? decoded.code : 'invalid-envelope',
      });
      return;
    }
    await produceOrFail(this.producer, this.metrics, endpoint, `${this.topicPrefix}${this.topic}`, [
      { key: decoded.subject, value },
    ]);
  }
}
