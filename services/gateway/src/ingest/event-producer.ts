import { type Kafka, type Producer } from 'kafkajs';
import { producerConfig } from '@app/kafka';

/** The broker did not acknowledge in time (or refused): the request must not be answered 202. */
export class BrokerUnavailableError extends Error {
  constructor(readonly reason: string) {
    super('the broker did not acknowledge the records');
    this.name = 'BrokerUnavailableError';
  }
}

/** One record for a topic: key = the subject key, value = the CloudEvent's JSON. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: string;
}

/**
 * The gateway's one producer: idempotent (the broker drops kafkajs's own retries of a batch),
 * acks from all in-sync replicas, the Java client's partitioner so keys land where the engine
 * expects them. `send` resolves only after the broker acknowledged every record, and rejects with
 * {@link BrokerUnavailableError} when it did not within the timeout. Why a timeout and not
 * kafkajs's retries alone: a caller holding an HTTP request must get an answer (503) while the
 * broker is away; a record the broker takes after that answer is a duplicate the client's retry
 * and the engine's duplicate window absorb.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(
    kafka: Kafka,
    private readonly timeoutMs: number,
  ) {
    this.producer = kafka.producer(
      producerConfig({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      }),
    );
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connecting = null;
    });
  }

  /** Connects now (at start); a failure is retried on the next send. */
  async connect(): Promise<void> {
    await this.ensureConnected().catch(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.connecting === null) {
      const attempt = this.producer.connect();
      this.connecting = attempt;
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = null;
      });
    }
    return this.connecting;
  }

  async send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerUnavailableError('timeout')), this.timeoutMs);
    });
    const produce = (async () => {
      await this.ensureConnected();
      await this.producer.send({ topic, acks: -1, timeout: this.timeoutMs, messages: [...records] });
    })();
    // The losing promise's rejection is handled here, never left unhandled.
    produce.catch(() => undefined);
    try {
      await Promise.race([produce, timeout]);
    } catch (error) {
      if (error instanceof BrokerUnavailableError) throw error;
      throw new BrokerUnavailableError(error instanceof Error ? error.name : 'error');
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
