import { type Kafka, type KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface ConsumeUntilOptions {
  /** Stop as soon as this holds for the records seen so far. */
  until: (records: ConsumedRecord[]) => boolean;
  timeoutMs?: number;
  /** read_committed by default: the tests check what downstream consumers really see. */
  readUncommitted?: boolean;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers,
  };
}

/**
 * Reads the topics from the beginning in a throw-away consumer group until `until` holds, or fails
 * after the timeout with how many records it did see.
 */
export async function consumeUntil(
  kafka: Kafka,
  topics: string[],
  options: ConsumeUntilOptions,
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = kafka.consumer({
    groupId: `test-reader-${randomUUID()}`,
    readUncommitted: options.readUncommitted ?? false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30000;
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `consumeUntil: condition not met after ${timeoutMs} ms (${records.length} records seen)`,
            ),
          ),
        timeoutMs,
      );
      if (options.until(records)) {
        clearTimeout(timer);
        resolve();
        return;
      }
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages)
              records.push(toRecord(batch.topic, batch.partition, message));
            if (options.until(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return records;
  } finally {
    await consumer.disconnect();
  }
}
