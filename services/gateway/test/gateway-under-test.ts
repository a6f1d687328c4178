import { createHash, randomBytes } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKafkaClient } from '@app/kafka';
import { loadConfig } from '@app/service-kit';
import { consumeUntil, createTopics, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { createGatewayApp } from '../src/gateway.app';
import { type GatewayOverrides } from '../src/gateway.runtime';
import { GatewaySettings } from '../src/gateway.settings';

/** The example policy's topics the gateway writes. */
export const GATEWAY_TOPICS = [
  'source.crm',
  'source.checkout',
  'source.email',
  'source.web',
  'consent.evidence',
];

/** Secrets of one test run (fresh each run). */
export interface TestSecrets {
  readonly crmKey: string;
  readonly checkoutSecret: Buffer;
  readonly engagementSecret: Buffer;
  readonly siteSecret: Buffer;
}

export function newSecrets(): TestSecrets {
  return {
    crmKey: randomBytes(24).toString('base64url'),
    checkoutSecret: randomBytes(32),
    engagementSecret: randomBytes(32),
    siteSecret: randomBytes(32),
  };
}

/** A gateway on a free loopback port, writing topics under its own prefix. */
export interface GatewayUnderTest {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly prefix: string;
  readonly kafka: Kafka;
  /** Reads a topic (name without prefix) until `until` holds. */
  read(topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]>;
  close(): Promise<void>;
}

/** Creates the run's topics (one partition each) and starts a gateway on them. */
export async function startGateway(
  broker: KafkaUnderTest,
  secrets: TestSecrets,
  env: Record<string, string> = {},
  overrides: GatewayOverrides = {},
): Promise<GatewayUnderTest> {
  // A prefix of its own, or the engine's when a test runs the engine on the same topics.
  const prefix = env.GATEWAY_TOPIC_PREFIX ?? `gw-${randomUUID().slice(0, 8)}.`;
  const kafka = createKafkaClient({ ...broker.client, clientId: 'gateway-test' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(
      admin,
      GATEWAY_TOPICS.map((t) => ({ topic: `${prefix}${t}`, numPartitions: 1 })),
    );
  } finally {
    await admin.disconnect();
  }
  const settings = loadConfig(GatewaySettings, {
    KAFKA_BROKERS: broker.brokers.join(','),
    GATEWAY_TOPIC_PREFIX: prefix,
    GATEWAY_SOURCE_KEYS: `crm=${createHash('sha256').update(secrets.crmKey).digest('hex')}`,
    GATEWAY_SOURCE_SECRETS: `checkout=${secrets.checkoutSecret.toString('base64')}`,
    GATEWAY_ENGAGEMENT_TOKEN_SECRET: secrets.engagementSecret.toString('base64'),
    GATEWAY_SITE_TOKEN_SECRET: secrets.siteSecret.toString('base64'),
    GATEWAY_CLICK_HOSTS: 'www.nordlys-loeb.dk',
    GATEWAY_TCF_CMP_IDS: '10,28,300',
    GATEWAY_PRODUCE_TIMEOUT_MS: '5000',
    GATEWAY_DOCS: 'true',
    ...env,
  });
  const app = await createGatewayApp(settings, overrides);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    prefix,
    kafka,
    read: (topic, until) => consumeUntil(kafka, [`${prefix}${topic}`], { until, timeoutMs: 30000 }),
    close: () => app.close(),
  };
}

/** POSTs JSON (or a raw string) and returns the status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
