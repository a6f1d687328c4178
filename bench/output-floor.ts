/**
 * The output floor of `npm run bench:engine`: how fast the client and broker take the engine's own
 * outputs (governed records, lineage, changelog, dead letters, and with identity routing the routed
 * and handover records), produced from memory in transactions as the engine's tasks do, with no
 * consuming and no deciding. No engine that writes these outputs through this client can be faster,
 * so engine/floor says how much of the attainable rate the engine reaches, and floor/passthrough
 * how much the output contract itself costs against a one-record-per-input copy.
 */
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import {
  type OutputRecord,
  type TopicReplication,
  type TopicSpec,
  ensureTopics,
  producerConfig,
  readTopicToEnd,
  sendInTransaction,
  withReplication,
} from '@app/kafka';

export interface OutputFloorOptions {
  readonly kafka: Kafka;
  /** Every topic the engine wrote during the measured run. */
  readonly outputTopics: readonly string[];
  /** Copies are written to `<copyPrefix><topic>` (created here with the original's partitions and configs). */
  readonly copyPrefix: string;
  readonly partitions: number;
  /** Inputs the engine processed to write these outputs, and its step size (records per transaction). */
  readonly inputs: number;
  readonly stepInputs: number;
  /** The copies' replication: the engine's topics had the same (acks=all waits for it). */
  readonly replication: TopicReplication;
}

export interface OutputFloorResult {
  readonly records: number;
  readonly bytes: number;
  /** Output bytes per topic (name without prefix is up to the caller). */
  readonly bytesPerTopic: ReadonlyMap<string, number>;
  readonly durationMs: number;
  /** Inputs per second this output volume allows: inputs / duration. */
  readonly inputsPerSecond: number;
}

/** The engine's outputs as read back (read_committed), grouped by partition for the floor. */
export interface EngineOutputs {
  readonly byPartition: OutputRecord[][];
  readonly records: number;
  /** Key and value bytes, in all and per topic. */
  readonly bytes: number;
  readonly bytesPerTopic: ReadonlyMap<string, number>;
}

/** Reads every output topic to its end: sizes for the JSON line, records for {@link runOutputFloor}. */
export async function readOutputs(
  kafka: Kafka,
  options: Pick<OutputFloorOptions, 'outputTopics' | 'copyPrefix' | 'partitions'>,
): Promise<EngineOutputs> {
  const byPartition: OutputRecord[][] = Array.from({ length: options.partitions }, () => []);
  const bytesPerTopic = new Map<string, number>();
  let bytes = 0;
  let records = 0;
  for (const topic of options.outputTopics) {
    await readTopicToEnd(kafka, {
      topic,
      onBatch: ({ partition, messages }) => {
        for (const m of messages) {
          const size = (m.key?.length ?? 0) + (m.value?.length ?? 0);
          bytes += size;
          records++;
          bytesPerTopic.set(topic, (bytesPerTopic.get(topic) ?? 0) + size);
          byPartition[partition % options.partitions]?.push({
            topic: `${options.copyPrefix}${topic}`,
            key: m.key,
            value: m.value,
            headers: m.headers as OutputRecord['headers'],
            partition,
          });
        }
      },
    });
  }
  return { byPartition, records, bytes, bytesPerTopic };
}

/**
 * Writes the outputs again with one transactional producer per partition, all partitions at once
 * (like the engine's tasks), in as many transactions as the engine's steps: each partition's
 * records are cut into inputs/stepInputs/partitions transactions.
 */
export async function runOutputFloor(
  options: OutputFloorOptions,
  outputs: EngineOutputs,
): Promise<OutputFloorResult> {
  const { byPartition, bytes, bytesPerTopic } = outputs;
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, await copySpecs(admin, options));
  } finally {
    await admin.disconnect();
  }
  const transactionsPerPartition = Math.max(
    1,
    Math.ceil(options.inputs / options.stepInputs / options.partitions),
  );
  const producers = byPartition.map((_, p) =>
    options.kafka.producer(
      producerConfig({
        transactionalId: `${options.copyPrefix}floor-${p}`,
        idempotent: true,
        maxInFlightRequests: 1,
      }),
    ),
  );
  await Promise.all(producers.map((p) => p.connect()));
  try {
    const started = performance.now();
    await Promise.all(
      byPartition.map(async (records, p) => {
        const producer = producers[p];
        if (producer === undefined || records.length === 0) return;
        const perTransaction = Math.ceil(records.length / transactionsPerPartition);
        for (let i = 0; i < records.length; i += perTransaction) {
          const transaction = await producer.transaction();
          await sendInTransaction(transaction, records.slice(i, i + perTransaction));
          await transaction.commit();
        }
      }),
    );
    const durationMs = performance.now() - started;
    return {
      records: outputs.records,
      bytes,
      bytesPerTopic,
      durationMs,
      inputsPerSecond: (options.inputs / durationMs) * 1000,
    };
  } finally {
    await Promise.all(producers.map((p) => p.disconnect()));
  }
}

/** The copies' specs: the originals' cleanup, compression and replication (the broker's share of the work). */
async function copySpecs(admin: Admin, options: OutputFloorOptions): Promise<TopicSpec[]> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: options.outputTopics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['cleanup.policy', 'compression.type'],
    })),
  });
  return described.resources.map((r) =>
    withReplication(
      {
        topic: `${options.copyPrefix}${r.resourceName}`,
        numPartitions: options.partitions,
        configs: Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])),
      },
      options.replication,
    ),
  );
}
