import { type Kafka, type Producer, type ProducerConfig, type TopicOffsets } from 'kafkajs';
import { type OutputRecord, producerConfig, sendInTransaction } from '@app/kafka';

/** What the engine uses of a kafkajs producer: connect, transactions, disconnect. */
export type TransactionalProducer = Pick<Producer, 'connect' | 'disconnect' | 'transaction'>;

/**
 * Creates the engine's transactional producers (one per decision task, one for the router) from the
 * settings the engine chose: transactional id, idempotence, transaction timeout. As Kafka Streams'
 * KafkaClientSupplier: the default is the Kafka client's own; a host may wrap what it returns
 * (tracing, fault injection in tests), keeping its semantics.
 */
export type ProducerSupplier = (kafka: Kafka, config: ProducerConfig) => TransactionalProducer;

/** The default {@link ProducerSupplier}: the Kafka client's producers, unwrapped. */
export const kafkaProducers: ProducerSupplier = (kafka, config) => kafka.producer(config);

/** Settings of the transactional producer of one task or of the router. */
export interface StepProducerSettings {
  readonly transactionalId: string;
  readonly transactionTimeoutMs?: number;
}

/**
 * Creates and connects the producer of `transactionalId`, fencing its previous owner. Disconnects it
 * again if any of that failed.
 */
export async function fencedProducer(
  kafka: Kafka,
  supplier: ProducerSupplier,
  settings: StepProducerSettings,
): Promise<TransactionalProducer> {
  const producer = supplier(
    kafka,
    producerConfig({
      transactionalId: settings.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: settings.transactionTimeoutMs ?? 60000,
    }),
  );
  try {
    await producer.connect();
    // InitProducerId: fences the previous owner and aborts its open transaction; it returns once a
    // commit the previous owner left in progress is complete, so offsets and state read next include it.
    await (await producer.transaction()).abort();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

/**
 * One step's transaction: its records and the input offsets it consumed, committed together. On any
 * failure the transaction is aborted (as far as the broker still lets it) and the error rethrown:
 * the outcome is unknown, and only a fresh claim is safe.
 */
export async function commitStep(
  producer: TransactionalProducer,
  groupId: string,
  records: readonly OutputRecord[],
  offsets: TopicOffsets[],
): Promise<void> {
  const transaction = await producer.transaction();
  try {
    await sendInTransaction(transaction, records);
    // A step may consume nothing (it only reports a corrupt changelog record).
    if (offsets.length > 0) await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsets });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}
