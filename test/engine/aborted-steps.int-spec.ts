import { randomUUID } from 'node:crypto';
import { KafkaJSError, type Transaction } from 'kafkajs';
import { consumeUntil, provideKafka, type ConsumedRecord, type KafkaUnderTest } from '@app/testing';
import { generateEventStream } from '@app/sample';
import { kafkaProducers, startGovernedStream, type ProducerSupplier } from '@app/stream';
import { readCommittedUntil } from './support/committed-records.reader';
import {
  canonicalRecord,
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS,
  produceLines,
  sorted,
  testKafka,
  uniquePrefix,
  outputTopics,
} from './support/engine-stream.kit';

/**
 * The engine's producers, whose commits fail while `state.failuresLeft > 0` on every other
 * transaction: the step's outputs, lineage, changelog and offsets were sent, then the transaction
 * is aborted and the commit reports an error, as when the coordinator is lost at the last moment.
 */
function abortingCommits(state: { failuresLeft: number; transactions: number }): ProducerSupplier {
  return (kafka, config) => {
    const producer = kafkaProducers(kafka, config);
    return {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      transaction: async (): Promise<Transaction> => {
        const transaction = await producer.transaction();
        const fail = state.failuresLeft > 0 && state.transactions++ % 2 === 1;
        if (!fail) return transaction;
        state.failuresLeft--;
        return Object.assign(Object.create(transaction) as Transaction, {
          commit: async (): Promise<void> => {
            await transaction.abort();
            throw new KafkaJSError('commit failed (injected)', { retriable: false });
          },
        });
      },
    };
  };
}

// A step whose transaction aborts after its records were sent is redone from the last commit
// (fence, committed offsets, changelog): read_committed consumers see every record exactly once
// and nothing of the aborted attempts, although those attempts' records are in the log.
describe('aborted steps', () => {
  let broker: KafkaUnderTest;
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('are invisible to read_committed consumers, and the redone steps equal dry-run exactly', async () => {
    const injected = { failuresLeft: 4, transactions: 0 };
    const failedSteps: string[] = [];
    const engine = await startGovernedStream({
      kafka: { ...broker.client, clientId: 'engine-aborted-steps' },
      policyFile: POLICY_FILE,
      pseudonymKeys: PSEUDONYM_KEYS,
      groupId: `engine-${randomUUID().slice(0, 8)}`,
      topicPrefix: uniquePrefix('aborted-steps'),
      partitions: 1,
      maxStepRecords: 200,
      maxQueuedPerPartition: 2000,
      createTopics: true,
      producers: abortingCommits(injected),
      claimBackoff: { initialMs: 50, maxMs: 500 },
      observer: { stepFailed: (e) => failedSteps.push(e.error) },
    });
    try {
      const lines = generateEventStream({ seed: 23, customers: 300 });
      const kafka = testKafka(broker.brokers);
      await produceLines(kafka, engine.topics, lines);
      const expected = dryRun(lines, engine.topics);
      const outputs = [...outputTopics(engine.topics), engine.topics.lineage];
      const wanted =
        expected.lineage.length + [...expected.perTopic.values()].reduce((n, rows) => n + rows.length, 0);
      const read = await readCommittedUntil(kafka, outputs, (rs) => rs.length >= wanted);

      expect(injected.failuresLeft).toBe(0);
      expect(failedSteps.length).toBeGreaterThanOrEqual(4);
      expect(read.unresolved).toBe(0);
      const of = (topic: string): ConsumedRecord[] => read.records.filter((r) => r.topic === topic);
      for (const [topic, rows] of expected.perTopic)
        expect(sorted(of(topic).map((r) => canonicalRecord(r.key, r.value, r.headers)))).toEqual(
          sorted(rows),
        );
      const lineage = of(engine.topics.lineage).map((r) => {
        const l = JSON.parse(r.value ?? 'null') as { kind: string };
        return JSON.stringify(l.kind === 'dead-letter' ? { ...l, reason: '' } : l);
      });
      expect(sorted(lineage)).toEqual(sorted(expected.lineage));

      // The aborted attempts did write: read uncommitted, the lineage holds more than was committed.
      const raw = await consumeUntil(kafka, [engine.topics.lineage], {
        readUncommitted: true,
        until: (rs) => rs.length > expected.lineage.length,
      });
      expect(raw.length).toBeGreaterThan(expected.lineage.length);
    } finally {
      await engine.stop();
    }
  });
});
