import { type Admin, type Kafka } from 'kafkajs';
import { createKafkaClient } from '@app/kafka';
import { provideKafka, type KafkaUnderTest } from '@app/testing';

/**
 * The broker for a test file, a client on it and a connected admin (close with
 * {@link closeKafkaUnderTest}).
 */
export async function openKafkaUnderTest(
  clientId: string,
): Promise<{ broker: KafkaUnderTest; kafka: Kafka; admin: Admin }> {
  const broker = await provideKafka();
  const kafka = createKafkaClient({ ...broker.client, clientId });
  const admin = kafka.admin();
  await admin.connect();
  return { broker, kafka, admin };
}

export async function closeKafkaUnderTest(
  broker: KafkaUnderTest | undefined,
  admin: Admin | undefined,
): Promise<void> {
  await admin?.disconnect();
  await broker?.stop();
}
