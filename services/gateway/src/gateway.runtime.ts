import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Kafka } from 'kafkajs';
import { createKafkaClient } from '@app/kafka';
import { engagementKeys } from '@app/contracts';
import { type CompiledPolicy, loadPolicy } from '@app/policy';
import { kafkaClientSettings } from '@app/service-kit';
import { decodeSecret, parseCredentials, SourceAuthenticator } from './auth/source-auth';
import { type GatewaySettings } from './gateway.settings';
import { GatewayMetrics } from './http/gateway.metrics';
import { TokenBuckets } from './http/token-bucket';
import { ConsentCapture } from './ingest/consent-capture';
import { EngagementCapture } from './ingest/engagement';
import { EventIngest } from './ingest/event-ingest';
import { FormCapture } from './ingest/form-capture';
import { UnsubscribeCapture } from './ingest/unsubscribe';
import { EventProducer } from './ingest/event-producer';
import { IdempotencyWindow } from './ingest/idempotency-window';

/** Injection token of the {@link GatewayRuntime}. */
export const GATEWAY_RUNTIME = Symbol('GATEWAY_RUNTIME');

/** What a test or benchmark may replace: the Kafka client (e.g. one routed through a proxy) and the clock. */
export interface GatewayOverrides {
  readonly kafka?: Kafka;
  readonly nowMs?: () => number;
}

/**
 * Everything the gateway's endpoints share, built once from validated settings: the policy, the
 * producer, authentication, rate limits, the idempotency window, metrics. A policy or setting the
 * gateway cannot serve stops the start with a message naming it.
 */
export class GatewayRuntime {
  readonly policy: CompiledPolicy;
  readonly metrics = new GatewayMetrics();
  readonly producer: EventProducer;
  readonly auth: SourceAuthenticator;
  readonly limits: TokenBuckets;
  readonly events: EventIngest;
  readonly consents: ConsentCapture;
  readonly engagement: EngagementCapture;
  readonly unsubscribes: UnsubscribeCapture;
  readonly forms: FormCapture;
  readonly nowMs: () => number;

  constructor(
    readonly settings: GatewaySettings,
    overrides: GatewayOverrides = {},
  ) {
    this.nowMs = overrides.nowMs ?? Date.now;
    this.policy = loadPolicy(readFileSync(settings.POLICY_FILE, 'utf8'), {
      fileName: basename(settings.POLICY_FILE),
    });
    const kafka =
      overrides.kafka ??
      createKafkaClient(kafkaClientSettings(settings, { clientId: `${settings.KAFKA_CLIENT_ID}-gateway` }));
    this.producer = new EventProducer(kafka, settings.GATEWAY_PRODUCE_TIMEOUT_MS);
    const credentials = parseCredentials(settings.GATEWAY_SOURCE_KEYS, settings.GATEWAY_SOURCE_SECRETS);
    for (const source of credentials.keys())
      if (!this.policy.sources.has(source))
        throw new Error(`GATEWAY_SOURCE_KEYS / GATEWAY_SOURCE_SECRETS: a source the policy does not declare`);
    this.auth = new SourceAuthenticator(credentials, settings.GATEWAY_SIGNATURE_MAX_AGE_S, this.nowMs);
    this.limits = new TokenBuckets(settings.GATEWAY_RATE_PER_S, settings.GATEWAY_RATE_BURST, this.nowMs);
    const prefix = settings.GATEWAY_TOPIC_PREFIX;
    this.events = new EventIngest(
      this.policy,
      prefix,
      this.producer,
      new IdempotencyWindow(
        settings.GATEWAY_IDEMPOTENCY_WINDOW_S * 1000,
        settings.GATEWAY_IDEMPOTENCY_MAX_IDS,
        this.nowMs,
      ),
      this.metrics,
      settings.GATEWAY_MAX_BATCH,
    );
    const secret = (value: string | undefined): Buffer | null =>
      value === undefined ? null : decodeSecret(value);
    this.consents = new ConsentCapture(
      this.policy,
      prefix,
      settings.GATEWAY_EVIDENCE_SOURCE,
      {
        registeredCmpIds: new Set(
          (settings.GATEWAY_TCF_CMP_IDS ?? '').split(',').filter(Boolean).map(Number),
        ),
        gvlPolicyVersion: settings.GATEWAY_TCF_POLICY_VERSION,
      },
      secret(settings.GATEWAY_SITE_TOKEN_SECRET),
      this.producer,
      this.metrics,
    );
    const tokenSecret = secret(settings.GATEWAY_ENGAGEMENT_TOKEN_SECRET);
    this.engagement = new EngagementCapture(
      this.policy,
      prefix,
      settings.GATEWAY_ENGAGEMENT_SOURCE,
      tokenSecret === null ? null : engagementKeys(tokenSecret),
      new Set((settings.GATEWAY_CLICK_HOSTS ?? '').split(',').filter(Boolean)),
      this.producer,
      this.metrics,
    );
    this.unsubscribes = new UnsubscribeCapture(
      this.policy,
      prefix,
      settings.GATEWAY_EVIDENCE_SOURCE,
      tokenSecret === null ? null : engagementKeys(tokenSecret, 'unsubscribe'),
      this.producer,
      this.metrics,
    );
    this.forms = new FormCapture(
      this.policy,
      prefix,
      settings.GATEWAY_EVIDENCE_SOURCE,
      tokenSecret === null ? null : engagementKeys(tokenSecret, 'confirmation'),
      this.producer,
      this.metrics,
    );
  }

  /** Rate limit by a policy name; throws 429 with Retry-After when the bucket is empty. */
  limit(key: string, cost = 1): number {
    return this.limits.take(key, cost);
  }
}
