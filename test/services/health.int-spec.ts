import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@app/service-kit';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { GatewayModule } from '../../services/gateway/src/gateway.module';
import { GatewaySettings } from '../../services/gateway/src/gateway.settings';
import { AuditModule } from '../../services/audit/src/audit.module';
import { AuditSettings } from '../../services/audit/src/audit.settings';

async function start(module: Parameters<typeof Test.createTestingModule>[0]['imports']): Promise<{
  app: INestApplication;
  url: string;
}> {
  const ref = await Test.createTestingModule({ imports: module }).compile();
  const app = ref.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

// Services boot as Nest applications whose readiness reflects the real broker and database.
describe('service health endpoints', () => {
  let broker: KafkaUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('gateway: live, and ready when the broker answers', async () => {
    const settings = loadConfig(GatewaySettings, { KAFKA_BROKERS: broker.brokers.join(',') });
    const { app, url } = await start([GatewayModule.forSettings(settings)]);
    try {
      const live = await fetch(`${url}/health/live`);
      const ready = await fetch(`${url}/health/ready`);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' } } });
    } finally {
      await app.close();
    }
  });

  it('audit: not ready (503, with the reason) while its database does not exist', async () => {
    const settings = loadConfig(AuditSettings, {
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database_for_tests',
    });
    const { app, url } = await start([AuditModule.forSettings(settings)]);
    try {
      const ready = await fetch(`${url}/health/ready`);
      const body = (await ready.json()) as { error: { postgres: { status: string; reason: string } } };
      expect(ready.status).toBe(503);
      expect(body.error.postgres.status).toBe('down');
      expect(body.error.postgres.reason).toContain('does not exist');
    } finally {
      await app.close();
    }
  });
});
