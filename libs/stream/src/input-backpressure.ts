import { type Consumer, type TopicPartitions } from 'kafkajs';

/**
 * Pauses fetching of an input partition once its queue holds `max` records and resumes it below
 * half of that. Why: consumption only fills queues; without a bound, a task that is behind would
 * buffer its whole input in memory.
 */
export class Backpressure {
  private readonly paused = new Map<string, { topic: string; partition: number }>();

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly max: number,
  ) {}

  /** After records were queued: `length` is the queue's length now. */
  queued(topic: string, partition: number, length: number): void {
    const key = `${topic}:${partition}`;
    if (length < this.max || this.paused.has(key)) return;
    this.paused.set(key, { topic, partition });
    this.consumer.pause([{ topic, partitions: [partition] }]);
  }

  /** After a step took records: `length` is the queue's length now. */
  taken(topic: string, partition: number, length: number): void {
    const key = `${topic}:${partition}`;
    if (!this.paused.has(key) || length >= this.max / 2) return;
    this.paused.delete(key);
    this.resume([{ topic, partitions: [partition] }]);
  }

  /** Resumes everything paused: the claim ends, and the next one's queues start empty. */
  resumeAll(): void {
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
