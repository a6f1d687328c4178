import 'reflect-metadata';
import { loadConfig } from '@app/service-kit';
import { provideKafka, startNestApp, type KafkaUnderTest } from '@app/testing';
import { AuditModule } from '../src/audit.module';
import { AuditSettings } from '../src/audit.settings';

// The service boots as a Nest application whose readiness reflects the real database.
describe('audit health endpoints', () => {
  let broker: KafkaUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('is not ready (503, with the reason) while its database does not exist', async () => {
    const settings = loadConfig(AuditSettings, {
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database_for_tests',
    });
    const { app, url } = await startNestApp([AuditModule.forSettings(settings)]);
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
