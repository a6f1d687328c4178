import { type Kafka } from 'kafkajs';
import { producerConfig } from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';

/**
 * Publishes the full text of the policy the engine enforces to the compacted policy-versions topic,
 * keyed by its version, before the engine decides anything: every lineage record names a version
 * whose text is then in Kafka, so a decision can be explained from Kafka alone, years later.
 * Idempotent: a restart publishes the same key and value again, and compaction keeps one. Waits for
 * every in-sync replica; a failure fails the start (no decision without its policy on record).
 */
export async function publishPolicyVersion(
  kafka: Kafka,
  topic: string,
  policy: CompiledPolicy,
  text: string,
): Promise<void> {
  const producer = kafka.producer(producerConfig({ idempotent: true, maxInFlightRequests: 1 }));
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: policy.version,
          value: text,
          headers: { 'policy-version': policy.version, 'content-type': 'application/yaml' },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
