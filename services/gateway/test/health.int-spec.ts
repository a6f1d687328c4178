import 'reflect-metadata';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { newSecrets, startGateway } from './gateway-under-test';

// The service boots as a Nest application on Fastify whose readiness reflects the real broker.
describe('gateway health endpoints', () => {
  let broker: KafkaUnderTest;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('is live, and ready when the broker answers', async () => {
    const gateway = await startGateway(broker, newSecrets());
    try {
      const live = await fetch(`${gateway.url}/health/live`);
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' } } });
      const unknown = await fetch(`${gateway.url}/v2/nothing`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ code: 'not-found', message: 'no such endpoint; see /docs' });
    } finally {
      await gateway.close();
    }
  });
});
