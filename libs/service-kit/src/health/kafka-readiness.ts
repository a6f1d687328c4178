import { type Admin } from 'kafkajs';
import { createKafkaClient, type KafkaClientSettings } from '@app/kafka';
import { type ReadinessCheck } from './readiness-check';

/**
 * Ready when the brokers answer a cluster description within a few seconds, over the same TLS and
 * SASL as the service's other clients (a readiness probe that connects differently would say
 * "ready" for a service whose real connections are refused).
 */
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(private readonly settings: KafkaClientSettings) {}

  async check(): Promise<void> {
    if (!this.admin) {
      this.admin = createKafkaClient({
        ...this.settings,
        clientId: `${this.settings.clientId}-readiness`,
        connectionTimeoutMs: 2000,
        retry: { retries: 0 },
      }).admin();
      await this.admin.connect();
    }
    try {
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no broker in the cluster metadata');
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
