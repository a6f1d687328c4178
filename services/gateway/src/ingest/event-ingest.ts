import { createHash } from 'node:crypto';
import { type CompiledPolicy, decodeStructured } from '@app/policy';
import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { type EventProducer, type OutgoingRecord } from './event-producer';
import { type IdempotencyWindow } from './idempotency-window';
import { produceOrFail } from './produce';

/** What an accepted POST answers. */
export interface IngestOutcome {
  /** 202 when something was produced now, 200 when every event was a repeat. */
  readonly status: 200 | 202;
  readonly accepted: number;
  readonly duplicates: number;
}

interface Checked {
  readonly claimKey: string;
  readonly digest: string;
  readonly record: OutgoingRecord;
}

/**
 * `POST /v1/events/:source`: checks each event with the decision core's own first stage, against
 * the source's declared topic (so the gateway refuses exactly what the engine would dead-letter),
 * then produces the new ones in one send and answers only after the broker acknowledged them.
 */
export class EventIngest {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly topicPrefix: string,
    private readonly producer: EventProducer,
    private readonly window: IdempotencyWindow,
    private readonly metrics: GatewayMetrics,
    private readonly maxBatch: number,
  ) {}

  /** The declared topic (without prefix) of a source, or null when the policy does not declare it. */
  topicOf(source: string): string | null {
    return this.policy.sources.has(source) ? (this.policy.sourceTopics.get(source) ?? null) : null;
  }

  async ingest(source: string, body: unknown): Promise<IngestOutcome> {
    const topic = this.topicOf(source);
    if (topic === null)
      throw new GatewayError(
        404,
        'unknown-source',
        'source: not declared in the policy (path /v1/events/<source>)',
      );
    const batch = Array.isArray(body);
    const events: unknown[] = batch ? (body as unknown[]) : [body];
    if (events.length === 0)
      throw new GatewayError(400, 'empty-batch', 'the batch is empty: send one event or an array of events');
    if (events.length > this.maxBatch)
      throw new GatewayError(413, 'batch-too-large', `a batch holds at most ${this.maxBatch} events`);
    const checked = events.map((event, i) => this.check(source, topic, event, batch ? `events[${i}]: ` : ''));
    return this.produceNew(`${this.topicPrefix}${topic}`, checked);
  }

  private check(source: string, topic: string, event: unknown, where: string): Checked {
    const value = JSON.stringify(event);
    const decoded = decodeStructured(this.policy, value, topic);
    if (decoded.kind !== 'source') {
      const code = decoded.kind === 'rejected' ? decoded.code : 'unexpected-evidence-source';
      const reason =
        decoded.kind === 'rejected' ? decoded.reason : 'type: consent evidence goes to /v1/consents';
      this.metrics.refusals.inc({ endpoint: 'events', code });
      throw new GatewayError(code === 'oversized' ? 413 : 400, code, `${where}${reason}`);
    }
    return {
      claimKey: `${source}\u0000${decoded.event.id}`,
      digest: createHash('sha256').update(value).digest('base64'),
      record: { key: decoded.subject, value },
    };
  }

  private async produceNew(topic: string, checked: readonly Checked[]): Promise<IngestOutcome> {
    const fresh: Checked[] = [];
    const waits: Promise<boolean>[] = [];
    for (const item of checked) {
      const seen = this.window.claim(item.claimKey, item.digest);
      if (seen.kind === 'new') fresh.push(item);
      else if (seen.kind === 'pending') waits.push(seen.done);
      else if (seen.kind === 'conflict') {
        for (const f of fresh) this.window.settle(f.claimKey, false);
        this.metrics.refusals.inc({ endpoint: 'events', code: 'id-reused' });
        throw new GatewayError(
          409,
          'id-reused',
          'id: an event with this id and other content was accepted recently; give each event its own id',
        );
      }
    }
    if (fresh.length > 0) {
      try {
        await produceOrFail(
          this.producer,
          this.metrics,
          'events',
          topic,
          fresh.map((f) => f.record),
        );
      } catch (error) {
        for (const f of fresh) this.window.settle(f.claimKey, false);
        throw error;
      }
      for (const f of fresh) this.window.settle(f.claimKey, true);
    }
    // A repeat of an id another request is producing is answered once that one is acknowledged.
    if ((await Promise.all(waits)).some((ok) => !ok))
      throw new GatewayError(
        503,
        'broker-unavailable',
        'the event store did not acknowledge the records; send them again',
        {
          'retry-after': '1',
        },
      );
    const duplicates = checked.length - fresh.length;
    return { status: fresh.length > 0 ? 202 : 200, accepted: fresh.length, duplicates };
  }
}
