import { type Kafka, type Message, type Producer } from 'kafkajs';
import { producerConfig } from '@app/kafka';

/** The broker did not acknowledge in time (or refused): the request must not be answered 202. */
export class BrokerUnavailableError extends Error {
  constructor(readonly reason: string) {
    super('the broker did not acknowledge the records');
    this.name = 'BrokerUnavailableError';
  }
}

const GATHER_BYTES = 512 * 1024;

/** Records of one caller waiting for the next send. */
interface Waiting {
  readonly topic: string;
  readonly messages: Message[];
  readonly done: (error: unknown) => void;
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
 *
 * Requests that arrive while a send is in flight are gathered into the next send (one produce
 * request for all of them): with one request in flight per connection, as the idempotent producer
 * needs, sending each HTTP request's records alone would make every request wait for the ones
 * before it. A failed send fails every request it carried, so none is answered 202 whose records
 * the broker did not acknowledge.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;
  /** Records waiting for the next send, with their callers. */
  private waiting: Waiting[] = [];
  private sending = false;

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
    let item: Waiting | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Answered 503: records not yet taken into a send are dropped, so they are not written
        // behind the caller's back (a send already under way may still complete).
        this.waiting = this.waiting.filter((w) => w !== item);
        reject(new BrokerUnavailableError('timeout'));
      }, this.timeoutMs);
    });
    const produce = new Promise<void>((resolve, reject) => {
      item = {
        topic,
        messages: records.map((r) => ({ key: r.key, value: r.value })),
        done: (error) => (error === null ? resolve() : reject(error as Error)),
      };
      this.waiting.push(item);
      if (!this.sending) void this.sendWaiting();
    });
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

  /** Sends everything waiting as one batch, then whatever gathered meanwhile, until nothing waits. */
  private async sendWaiting(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        // Gathered up to about half the broker's default message.max.bytes, so that requests
        // together never make a batch the broker refuses where each alone would pass.
        let bytes = 0;
        let count = 0;
        while (count < this.waiting.length && (count === 0 || bytes < GATHER_BYTES)) {
          for (const m of this.waiting[count].messages)
            bytes += String(m.value).length + String(m.key).length;
          count++;
        }
        const batch = this.waiting.slice(0, count);
        this.waiting = this.waiting.slice(count);
        const byTopic = new Map<string, Message[]>();
        for (const item of batch) {
          const messages = byTopic.get(item.topic) ?? [];
          messages.push(...item.messages);
          byTopic.set(item.topic, messages);
        }
        let failure: unknown = null;
        try {
          await this.ensureConnected();
          await this.producer.sendBatch({
            acks: -1,
            timeout: this.timeoutMs,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        } catch (error) {
          failure = error ?? new Error('send failed');
        }
        for (const item of batch) item.done(failure);
      }
    } finally {
      this.sending = false;
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
