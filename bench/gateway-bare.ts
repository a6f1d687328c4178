import Fastify, { type FastifyInstance } from 'fastify';
import { type Producer } from 'kafkajs';
import { createKafkaClient, producerConfig, type KafkaClientSettings } from '@app/kafka';

/**
 * The gateway benchmark's baseline: a bare Fastify endpoint that parses the body and produces it,
 * keyed by its subject, with the same kafkajs producer settings as the gateway (idempotent,
 * acks=all), answering 202 after the acknowledgement. No policy, authentication, validation,
 * idempotency window, rate limit or metrics: what the gateway adds is measured against this.
 */
export async function startBareEndpoint(
  client: KafkaClientSettings,
  topic: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const producer: Producer = createKafkaClient({ ...client, clientId: 'bench-bare' }).producer(
    producerConfig({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
  );
  await producer.connect();
  const app: FastifyInstance = Fastify({ bodyLimit: 1024 * 1024 });
  app.post('/v1/events/:source', async (request, reply) => {
    const event = request.body as { subject?: string };
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: String(event.subject), value: JSON.stringify(event) }],
    });
    return reply.status(202).send({ accepted: 1, duplicates: 0 });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    close: async () => {
      await app.close();
      await producer.disconnect();
    },
  };
}
