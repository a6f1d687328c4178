import { type GatewayMetrics } from '../http/gateway.metrics';
import { GatewayError } from '../http/gateway-error';
import { BrokerUnavailableError, type EventProducer, type OutgoingRecord } from './event-producer';

/** The endpoints that produce, as metric label values. */
export type ProducingEndpoint = 'events' | 'consents' | 'pixel' | 'click' | 'unsubscribe' | 'forms';

/**
 * Sends records and times the broker's acknowledgement. A broker that did not acknowledge is a
 * 503 with Retry-After: the caller sends again, never believing a record was taken when it was not.
 */
export async function produceOrFail(
  producer: EventProducer,
  metrics: GatewayMetrics,
  endpoint: ProducingEndpoint,
  topic: string,
  records: readonly OutgoingRecord[],
): Promise<void> {
  const stop = metrics.produceSeconds.startTimer({ endpoint });
  try {
    await producer.send(topic, records);
    stop({ outcome: 'acknowledged' });
    metrics.records.inc({ endpoint }, records.length);
  } catch (error) {
    stop({ outcome: 'failed' });
    if (error instanceof BrokerUnavailableError)
      throw new GatewayError(
        503,
        'broker-unavailable',
        'the event store did not acknowledge the records; nothing was accepted, send them again',
        { 'retry-after': '1' },
      );
    throw error;
  }
}
