import { randomUUID } from 'node:crypto';
import { KafkaJSConnectionError } from 'kafkajs';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { generateEventStream } from '@app/sample';
import {
  kafkaProducers,
  startGovernedStream,
  type ClaimFailed,
  type GovernedStream,
  type ProducerSupplier,
  type StreamStage,
} from '@app/stream';
import {
  dryRun,
  POLICY_FILE,
  PSEUDONYM_KEYS,
  produceLines,
  readEngineOutput,
  sorted,
  testKafka,
  uniquePrefix,
} from './support/engine-stream.kit';

/**
 * What the engine reported, with waits for what is to come. The engine's own observer is the
 * signal: no log wording, no sleeps.
 */
class Reports {
  readonly claimFailures: ClaimFailed[] = [];
  committedSteps = 0;
  private readonly waiters = new Set<() => boolean>();

  failuresOf(stage: StreamStage): ClaimFailed[] {
    return this.claimFailures.filter((f) => f.stage === stage);
  }

  changed(): void {
    for (const w of this.waiters) if (w()) this.waiters.delete(w);
  }

  /** Resolves once `holds()` is true; rejects with what was reported after `timeoutMs`. */
  until(holds: () => boolean, timeoutMs = 120_000): Promise<void> {
    return new Promise((done, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`not within ${timeoutMs} ms; claim failures: ${JSON.stringify(this.claimFailures)}`),
        );
      }, timeoutMs);
      const check = (): boolean => {
        if (!holds()) return false;
        clearTimeout(timer);
        done();
        return true;
      };
      if (!check()) this.waiters.add(check);
    });
  }
}

/**
 * The engine's producers, failing to connect while `failing`: the first thing every claim does
 * (fencing the previous owner) fails as it does while the broker cannot be reached.
 */
function flakyProducers(state: { failing: boolean }): ProducerSupplier {
  return (kafka, config) => {
    const producer = kafkaProducers(kafka, config);
    return {
      connect: async () => {
        if (state.failing) throw new KafkaJSConnectionError('connection refused (injected)');
        await producer.connect();
      },
      disconnect: () => producer.disconnect(),
      transaction: () => producer.transaction(),
    };
  };
}

// A claim that fails (broker unreachable, coordinator moving) is retried with backoff: meanwhile the
// instance steps nothing and is not ready; once a claim succeeds it processes what arrived and is
// ready. Before the claim loop was shared, a failed claim left the decision tasks unclaimed for good
// while the instance reported ready.
describe('a failing claim', () => {
  let broker: KafkaUnderTest;
  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it.each([
    { name: 'decision tasks', partitions: 1, identityRouting: false, stages: ['tasks'] as const },
    { name: 'router and tasks', partitions: 2, identityRouting: true, stages: ['router', 'tasks'] as const },
  ])(
    'of the $name is retried until it succeeds; the input is then processed and the engine ready',
    async ({ partitions, identityRouting, stages }) => {
      const reports = new Reports();
      const producers = { failing: true };
      const engine: GovernedStream = await startGovernedStream({
        kafka: { ...broker.client, clientId: 'engine-claim-failure' },
        policyFile: POLICY_FILE,
        pseudonymKeys: PSEUDONYM_KEYS,
        groupId: `engine-${randomUUID().slice(0, 8)}`,
        topicPrefix: uniquePrefix('claim-failure'),
        partitions,
        identityRouting,
        maxStepRecords: 500,
        maxQueuedPerPartition: 2000,
        createTopics: true,
        producers: flakyProducers(producers),
        claimBackoff: { initialMs: 100, maxMs: 1000 },
        observer: {
          claimFailed: (e) => {
            reports.claimFailures.push(e);
            reports.changed();
          },
          stepCommitted: () => {
            reports.committedSteps++;
            reports.changed();
          },
        },
      });
      try {
        const lines = generateEventStream({ seed: 11, customers: 400 });
        const kafka = testKafka(broker.brokers);
        await produceLines(kafka, engine.topics, lines);
        await reports.until(() => stages.every((stage) => reports.failuresOf(stage).length >= 3));

        expect(engine.isReady()).toBe(false);
        expect(reports.committedSteps).toBe(0);
        for (const stage of stages) {
          const [first, second, third] = reports.failuresOf(stage);
          expect([first?.attempt, second?.attempt, third?.attempt]).toEqual([1, 2, 3]);
          expect(first?.error).toBe('KafkaJSConnectionError');
          // Backoff: each retry waits longer than the one before (±20 % jitter never overlaps).
          expect(first?.retryInMs).toBeLessThan(second?.retryInMs as number);
          expect(second?.retryInMs).toBeLessThan(third?.retryInMs as number);
        }

        producers.failing = false;
        const expected = dryRun(lines, engine.topics);
        const actual = await readEngineOutput(kafka, engine.topics, expected);

        for (const [topic, rows] of expected.perTopic)
          expect(sorted(actual.perTopic.get(topic) ?? [])).toEqual(sorted(rows));
        expect(sorted(actual.lineage)).toEqual(sorted(expected.lineage));
        // Steps run only under a claim that succeeded, and readiness is exactly "claimed".
        expect(engine.isReady()).toBe(true);
        expect(engine.assignedPartitions()).toEqual([...Array(partitions).keys()]);
        const failures = await engine.metrics.registry.getSingleMetric('engine_step_failures_total')?.get();
        const counted = failures?.values.find((v) => v.labels.error === 'KafkaJSConnectionError')?.value;
        expect(counted).toBeGreaterThanOrEqual(reports.claimFailures.length);
      } finally {
        await engine.stop();
      }
    },
  );
});
