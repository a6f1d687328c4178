import { type ProducerSupplier } from '@app/stream';

/** Produce-side requests of one bench phase per broker API: how many, and their mean duration. */
export type RequestFigures = Record<string, { readonly count: number; readonly meanMs: number }>;

/**
 * The engine's transactional producers, as the Kafka client makes them, with their broker requests
 * counted per API name (kafkajs's request instrumentation event). Why: a transaction is a chain of
 * sequential round trips, and at a modest rate the end-to-end latency is that chain.
 */
export class RequestCounts {
  private counts = new Map<string, { count: number; totalMs: number }>();

  readonly producers: ProducerSupplier = (kafka, config) => {
    const producer = kafka.producer(config);
    producer.on(producer.events.REQUEST, ({ payload }) => {
      const c = this.counts.get(payload.apiName) ?? { count: 0, totalMs: 0 };
      c.count++;
      c.totalMs += payload.duration;
      this.counts.set(payload.apiName, c);
    });
    return producer;
  };

  /** The figures since the last call. */
  take(): RequestFigures {
    const out: Record<string, { count: number; meanMs: number }> = {};
    for (const [api, c] of [...this.counts].sort((a, b) => b[1].count - a[1].count))
      out[api] = { count: c.count, meanMs: Math.round((c.totalMs / c.count) * 10) / 10 };
    this.counts = new Map();
    return out;
  }
}
