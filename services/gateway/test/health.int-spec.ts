import 'reflect-metadata';
import { loadConfig } from '@app/service-kit';
import { provideKafka, startNestApp, type KafkaUnderTest } from '@app/testing';
import { GatewayModule } from '../src/gateway.module';
import { GatewaySettings } from '../src/gateway.settings';

// The service boots as a Nest application whose readiness reflects the real broker.
describe('gateway health endpoints', () => {
  let broker: KafkaUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('is live, and ready when the broker answers', async () => {
    const settings = loadConfig(GatewaySettings, { KAFKA_BROKERS: broker.brokers.join(',') });
    const { app, url } = await startNestApp([GatewayModule.forSettings(settings)]);
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
});
