import { type Kafka, type ProducerBatch } from 'kafkajs';
import { BrokerUnavailableError, EventProducer } from './event-producer';

/** A kafkajs stand-in whose sends the test completes or fails by hand. */
function fakeKafka() {
  const batches: { batch: ProducerBatch; settle: (error?: Error) => void }[] = [];
  const producer = {
    events: { DISCONNECT: 'producer.disconnect' },
    on: () => undefined,
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: ProducerBatch) =>
      new Promise<void>((resolve, reject) =>
        batches.push({ batch, settle: (error) => (error === undefined ? resolve() : reject(error)) }),
      ),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, batches };
}

const flush = () => new Promise((r) => setImmediate(r));
const record = (n: number) => ({ key: `k${n}`, value: `v${n}` });
const values = (b: ProducerBatch) => b.topicMessages?.flatMap((t) => t.messages.map((m) => String(m.value)));

describe('EventProducer', () => {
  it('resolves only after the acknowledgement, gathering requests that wait into one send', async () => {
    const { kafka, batches } = fakeKafka();
    const producer = new EventProducer(kafka, 60_000);
    let first = false;
    const a = producer.send('t', [record(1)]).then(() => (first = true));
    await flush();
    const b = producer.send('t', [record(2)]);
    const c = producer.send('u', [record(3)]);
    await flush();
    expect(batches).toHaveLength(1);
    expect(first).toBe(false);
    batches[0].settle();
    await a;
    await flush();
    expect(batches).toHaveLength(2);
    expect(values(batches[1].batch)).toEqual(['v2', 'v3']);
    expect(batches[1].batch.acks).toBe(-1);
    batches[1].settle(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(b).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(c).rejects.toBeInstanceOf(BrokerUnavailableError);
  });

  it('answers unavailable after the timeout and drops records not yet sent', async () => {
    const { kafka, batches } = fakeKafka();
    const producer = new EventProducer(kafka, 50);
    const stuck = producer.send('t', [record(1)]);
    await flush();
    const waiting = producer.send('t', [record(2)]);
    await expect(stuck).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(waiting).rejects.toBeInstanceOf(BrokerUnavailableError);
    batches[0].settle();
    await flush();
    // The second request was answered 503 before any send took it: it is never written.
    expect(batches).toHaveLength(1);
  });
});
