import { type Consumer, type KafkaMessage, type TopicPartitions } from 'kafkajs';

/** Default queued bytes per input partition before its fetching pauses. */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** Bytes a queued message holds in memory that depend on the input: key, value and headers. */
export function queuedBytes(messages: readonly KafkaMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += (m.key?.length ?? 0) + (m.value?.length ?? 0);
    for (const [name, v] of Object.entries(m.headers ?? {}))
      n += name.length + (Array.isArray(v) ? v.reduce((s, x) => s + x.length, 0) : (v?.length ?? 0));
  }
  return n;
}

/**
 * Pauses fetching of an input partition once its queue holds `max` records or `maxBytes` bytes, and
 * resumes it below half of both. Why: consumption only fills queues; without a bound, a task that is
 * behind would buffer its whole input in memory, and a count alone does not bound memory when
 * records are large (a thousand 1 MB records are a gigabyte).
 */
export class Backpressure {
  private readonly paused = new Map<string, { topic: string; partition: number }>();
  /** Queued bytes per `topic:partition`, as reported by {@link queued} and {@link taken}. */
  private readonly bytes = new Map<string, number>();

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly max: number,
    private readonly maxBytes = DEFAULT_MAX_QUEUED_BYTES,
  ) {}

  /** After records were queued: `length` is the queue's length now, `added` the bytes just queued. */
  queued(topic: string, partition: number, length: number, added = 0): void {
    const key = `${topic}:${partition}`;
    const bytes = (this.bytes.get(key) ?? 0) + added;
    this.bytes.set(key, bytes);
    if ((length < this.max && bytes < this.maxBytes) || this.paused.has(key)) return;
    this.paused.set(key, { topic, partition });
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  /** After a step took records: `length` is the queue's length now, `removed` the bytes taken. */
  taken(topic: string, partition: number, length: number, removed = 0): void {
    const key = `${topic}:${partition}`;
    const bytes = Math.max(0, (this.bytes.get(key) ?? 0) - removed);
    this.bytes.set(key, bytes);
    if (!this.paused.has(key) || length >= this.max / 2 || bytes >= this.maxBytes / 2) return;
    this.paused.delete(key);
    this.resume([{ topic, partitions: [partition] }]);
  }

  /** Resumes everything paused: the claim ends, and the next one's queues start empty. */
  resumeAll(): void {
    this.bytes.clear();
    if (this.paused.size === 0) return;
    const all = [...this.paused.values()].map(({ topic, partition }) => ({ topic, partitions: [partition] }));
    this.paused.clear();
    this.resume(all);
  }

  private resume(list: TopicPartitions[]): void {
    try {
      this.consumer.resume(list);
    } catch {
      // kafkajs throws once its consumer stopped or crashed: nothing is paused then, and a
      // restarted consumer starts with nothing paused.
    }
  }
}
