import { Kafka, logLevel, type Admin } from 'kafkajs';
import { type ReadinessCheck } from './readiness-check';

/** Ready when the brokers answer a cluster description within a few seconds. */
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(
    private readonly brokers: string[],
    private readonly clientId: string,
  ) {}

  async check(): Promise<void> {
    if (!this.admin) {
      this.admin = new Kafka({
        clientId: `${this.clientId}-readiness`,
        brokers: this.brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 2000,
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
