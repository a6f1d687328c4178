import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@app/service-kit';
import {
  createTopics,
  provideDatabase,
  provideKafka,
  startNestApp,
  type DatabaseUnderTest,
  type KafkaUnderTest,
} from '@app/testing';
import { AuditModule } from '../src/audit.module';
import { AuditSettings } from '../src/audit.settings';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The service migrates its schema, starts the sink with the app, becomes ready once the sink
// consumes, and serves the sink's metrics.
describe('audit service with its lineage sink', () => {
  let broker: KafkaUnderTest;
  let database: DatabaseUnderTest;
  beforeAll(async () => {
    [broker, database] = await Promise.all([provideKafka(), provideDatabase()]);
  });
  afterAll(async () => {
    await database?.drop();
    await broker?.stop();
  });

  it('is ready once the sink consumes, stores what arrives and counts it in /metrics', async () => {
    const prefix = `t-audit-svc-${randomUUID().slice(0, 8)}.`;
    const kafka = new Kafka({
      clientId: 'audit-svc-test',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [
      { topic: `${prefix}governance.lineage`, numPartitions: 2 },
      { topic: `${prefix}governance.policy-versions`, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const settings = loadConfig(AuditSettings, {
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: database.url,
      AUDIT_DATABASE_SCHEMA: database.schema,
      AUDIT_MIGRATE: 'true',
      AUDIT_TOPIC_PREFIX: prefix,
      AUDIT_GROUP_ID: `audit-svc-${randomUUID().slice(0, 8)}`,
    });
    const { app, url } = await startNestApp([AuditModule.forSettings(settings)]);
    try {
      let ready = 0;
      for (let i = 0; i < 120 && ready !== 200; i++) {
        ready = (await fetch(`${url}/health/ready`)).status;
        if (ready !== 200) await sleep(500);
      }
      expect(ready).toBe(200);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: `${prefix}governance.lineage`,
        messages: [{ value: 'not a lineage record' }],
      });
      await producer.disconnect();
      let text = '';
      for (let i = 0; i < 120 && !/audit_sink_unreadable_total\{code="not-json"\} 1/.test(text); i++) {
        text = await (await fetch(`${url}/metrics`)).text();
        await sleep(250);
      }
      expect(text).toMatch(/audit_sink_unreadable_total\{code="not-json"\} 1/);
      expect(text).toMatch(/audit_sink_records_stored_total\{kind="unreadable"\} 1/);
      expect(text).not.toContain('not a lineage record');
    } finally {
      await app.close();
    }
  });
});
