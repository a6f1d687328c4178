import { type Admin, type IHeaders, type Kafka } from 'kafkajs';
import { createKafkaClient, producerConfig, readTopicToEnd } from '@app/kafka';
import { provideKafka, type KafkaUnderTest } from '@app/testing';

/** Input record i has key `k-${i % keys}` and value `in-${i}` (unique, so outputs can be counted). */
export function inputValue(i: number): string {
  return `in-${String(i).padStart(6, '0')}`;
}

/**
 * Produces `count` numbered input records (non-transactionally, like a source system would), 100
 * per request: a fetch returns whole record batches, so small requests make the processor see many
 * small batches (many transactions) instead of one per partition.
 */
export async function produceNumbered(
  kafka: Kafka,
  topic: string,
  count: number,
  options: { keys?: number; headers?: IHeaders } = {},
): Promise<void> {
  const producer = kafka.producer(producerConfig({ idempotent: true }));
  await producer.connect();
  try {
    const keys = options.keys ?? 500;
    for (let start = 0; start < count; start += 100) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 100); i++) {
        messages.push({ key: `k-${i % keys}`, value: inputValue(i), headers: options.headers });
      }
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Sum over partitions of (end offset - committed offset) for the group; end when nothing committed. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  let lag = 0;
  for (const end of ends) {
    const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
    const from = BigInt(offset) < 0n ? BigInt(end.low) : BigInt(offset);
    lag += Number(BigInt(end.high) - from);
  }
  return lag;
}

/** Polls until the group has committed every input record, or fails after `timeoutMs` with the lag. */
export async function waitForGroupCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 90000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lag = await groupLag(admin, groupId, topic);
  while (lag > 0) {
    if (Date.now() > deadline) throw new Error(`group ${groupId} still ${lag} records behind on ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    lag = await groupLag(admin, groupId, topic);
  }
}

/** Polls `condition` every 100 ms; fails with `what` after `timeoutMs` (a guard, not an assertion). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Everything a read_committed consumer sees on `topic` now: values as UTF-8, in partition order. */
export async function readCommittedValues(kafka: Kafka, topic: string): Promise<string[]> {
  const values: string[] = [];
  await readTopicToEnd(kafka, {
    topic,
    onBatch: ({ messages }) => {
      for (const m of messages) values.push(m.value?.toString('utf8') ?? '<null>');
    },
  });
  return values;
}

/** How often each value occurs. */
export function occurrences(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * The exactly-once check: every expected value occurs once. Returns a readable summary (so a
 * failing test says what went wrong) that is `ok` when nothing is missing, doubled or unexpected.
 */
export function exactlyOnceSummary(values: readonly string[], expected: readonly string[]): string {
  const counts = occurrences(values);
  const expectedSet = new Set(expected);
  const missing = expected.filter((v) => !counts.has(v));
  const doubled = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const unexpected = [...counts.keys()].filter((v) => !expectedSet.has(v));
  if (
    missing.length === 0 &&
    doubled.length === 0 &&
    unexpected.length === 0 &&
    values.length === expected.length
  ) {
    return 'ok';
  }
  return (
    `read ${values.length}, expected ${expected.length}; missing ${missing.length} (${missing.slice(0, 3).join(', ')}), ` +
    `doubled ${doubled.length} (${doubled.slice(0, 3).join(', ')}), unexpected ${unexpected.length}`
  );
}

/**
 * The broker for a test file, a client on it and a connected admin (close with
 * {@link closeKafkaUnderTest}).
 */
export async function openKafkaUnderTest(
  clientId: string,
): Promise<{ broker: KafkaUnderTest; kafka: Kafka; admin: Admin }> {
  const broker = await provideKafka();
  const kafka = createKafkaClient({ brokers: broker.brokers, clientId });
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
