/**
 * The baseline for `npm run bench:engine`: a bare kafkajs consume → produce passthrough (no
 * transactions, no decoding, offsets auto-committed) with the same batch settings the engine uses,
 * so the engine's figure can be reported as a ratio of what the client and broker manage anyway.
 *
 * Run alone (after `npm run build`): `node dist/bench/passthrough.js` with BENCH_RECORDS (200000),
 * BENCH_PARTITIONS (6) and the Kafka variables of the services (KAFKA_BROKERS, TLS, SASL,
 * replication); it creates its own topics.
 */
import { randomUUID } from 'node:crypto';
import { type Kafka, type Message } from 'kafkajs';
import { createKafkaClient, ensureTopics, producerConfig, streamTopic, withReplication } from '@app/kafka';
import {
  kafkaClientSettings,
  kafkaSettingsFromEnv,
  topicReplication,
} from '@app/service-kit/config/kafka-client-settings';

/** Fetch and concurrency settings; pass the engine's own so both runs batch alike. */
export interface PassthroughBatchSettings {
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
  readonly minBytes?: number;
  readonly maxWaitTimeInMs?: number;
  readonly partitionsConsumedConcurrently?: number;
}

export interface PassthroughOptions {
  readonly kafka: Kafka;
  readonly inputTopics: readonly string[];
  readonly outputTopic: string;
  /** A fresh group per run, so it starts from the beginning of the input. */
  readonly groupId: string;
  /** The run ends once this many records have been forwarded. */
  readonly expectedRecords: number;
  readonly batch?: PassthroughBatchSettings;
  readonly onProgress?: (forwarded: number) => void;
}

export interface PassthroughResult {
  readonly records: number;
  /** From the first fetched batch to the last forwarded record (group join excluded). */
  readonly durationMs: number;
  readonly recordsPerSecond: number;
}

/** Forwards every input record unchanged (key, value, headers) to `outputTopic` and measures it. */
export async function runPassthrough(options: PassthroughOptions): Promise<PassthroughResult> {
  const batch = options.batch ?? {};
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    maxBytesPerPartition: batch.maxBytesPerPartition,
    maxBytes: batch.maxBytes,
    minBytes: batch.minBytes,
    maxWaitTimeInMs: batch.maxWaitTimeInMs,
  });
  const producer = options.kafka.producer(producerConfig({ idempotent: true }));
  await Promise.all([consumer.connect(), producer.connect()]);
  let forwarded = 0;
  let startedAt = 0;
  try {
    await consumer.subscribe({ topics: [...options.inputTopics], fromBeginning: true });
    const finishedAt = await new Promise<number>((resolve, reject) => {
      consumer
        .run({
          partitionsConsumedConcurrently: batch.partitionsConsumedConcurrently ?? 1,
          eachBatch: async ({ batch: fetched }) => {
            if (startedAt === 0) startedAt = performance.now();
            const messages: Message[] = fetched.messages.map((m) => ({
              key: m.key,
              value: m.value,
              headers: m.headers,
            }));
            await producer.send({ topic: options.outputTopic, messages });
            forwarded += messages.length;
            options.onProgress?.(forwarded);
            if (forwarded >= options.expectedRecords) resolve(performance.now());
          },
        })
        .catch(reject);
    });
    const durationMs = finishedAt - startedAt;
    return { records: forwarded, durationMs, recordsPerSecond: (forwarded / durationMs) * 1000 };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

async function produceSample(kafka: Kafka, topic: string, records: number): Promise<void> {
  const producer = kafka.producer(producerConfig({ idempotent: true }));
  await producer.connect();
  try {
    const value = JSON.stringify({ specversion: '1.0', type: 'bench', data: { field: 'x'.repeat(200) } });
    for (let start = 0; start < records; start += 1000) {
      const messages: Message[] = [];
      for (let i = start; i < Math.min(records, start + 1000); i++)
        messages.push({ key: `k-${i % 10000}`, value });
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

async function main(): Promise<void> {
  const records = Number(process.env.BENCH_RECORDS ?? 200000);
  const partitions = Number(process.env.BENCH_PARTITIONS ?? 6);
  const settings = kafkaSettingsFromEnv(process.env);
  const replication = topicReplication(settings);
  const kafka = createKafkaClient(kafkaClientSettings(settings, { clientId: 'bench' }));
  const run = randomUUID().slice(0, 8);
  const input = `bench.passthrough.in.${run}`;
  const output = `bench.passthrough.out.${run}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      withReplication(streamTopic(input, partitions, 3600000), replication),
      withReplication(streamTopic(output, partitions, 3600000), replication),
    ]);
    await produceSample(kafka, input, records);
    const result = await runPassthrough({
      kafka,
      inputTopics: [input],
      outputTopic: output,
      groupId: `bench-passthrough-${run}`,
      expectedRecords: records,
      batch: { partitionsConsumedConcurrently: partitions },
    });
    process.stdout.write(
      `passthrough: ${result.records} records in ${result.durationMs.toFixed(0)} ms = ` +
        `${result.recordsPerSecond.toFixed(0)} records/s\n`,
    );
    await admin.deleteTopics({ topics: [input, output] });
  } finally {
    await admin.disconnect();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`passthrough bench failed: ${String(error)}\n`);
    process.exit(1);
  });
}
