import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { producerConfig } from '@app/kafka';
import { generateEventStream } from '@app/sample';
import { type EngineTopics } from '@app/stream';
import { routeLine, streamsUnderTest } from './support/engine-stream.kit';

// Sources written by a transactional producer, as exactly-once source connectors write. kafkajs
// never hands the engine a fetch whose records were all filtered out (transaction markers, aborted
// records), so an input holding only such records never looked read to its end, and the merge
// waited for it before deciding anything later from the other inputs: here the newsletter topic
// holds nothing but an aborted transaction. Every other chunk of input is its own transaction.
const NEWSLETTER = 'newsletter';

async function abortedTransactionOn(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer(
    producerConfig({ idempotent: true, maxInFlightRequests: 1, transactionalId: `aborting-${randomUUID()}` }),
  );
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'cust-x', value: '{"never":"committed"}' }] });
    await transaction.abort();
  } finally {
    await producer.disconnect();
  }
}

describe('with sources written in transactions, the governed stream equals govern dry-run', () => {
  const streams = streamsUnderTest();

  const run = async (name: string, partitions: number, identityRouting: boolean): Promise<void> => {
    let topics: EngineTopics | undefined;
    const generated = generateEventStream({ seed: 11, customers: 400 });
    const result = await streams.expectEqualsDryRun({
      name,
      partitions,
      identityRouting,
      transactionalSources: true,
      // Nothing committed on the newsletter topic: only the aborted transaction.
      lines: generated.filter((line) => !line.includes(`"source":"${NEWSLETTER}"`)),
      beforeProduce: async (kafka, t) => {
        topics = t;
        await abortedTransactionOn(kafka, t.sources.get(NEWSLETTER) as string);
      },
    });
    expect(topics?.sources.has(NEWSLETTER)).toBe(true);
    expect(
      result.lines.some(
        (line) => routeLine(line, result.engine.topics).topic === topics?.sources.get(NEWSLETTER),
      ),
    ).toBe(false);
  };

  it('in the decision tasks, which merge the inputs themselves', async () => {
    await run('tx-sources', 1, false);
  });

  it('in the identity router, which merges the inputs for the tasks', async () => {
    await run('tx-sources-routed', 2, true);
  });
});
