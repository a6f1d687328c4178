import { type Admin, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import { AggregateCounter, type CompiledPolicy, type PseudonymKeyring } from '@app/policy';
import { CountingInbox } from './aggregate-counting';
import {
  type Assignment,
  type Backoff,
  ClaimLoop,
  type ClaimLease,
  type ClaimWork,
  type ClaimedUnit,
} from './claim-loop';
import { type DecisionCoreSupplier, governanceCore } from './decision-core';
import { DEFAULT_MAX_RECORD_BYTES } from './output-size';
import { RecordFailures } from './record-failures';
import { readLatestStates, restoreSubject } from './subject-restore';
import { coPartitionedAssigner } from './co-partitioned.assigner';
import { type EngineTopics } from './engine-topics';
import { HandoverInbox } from './handover-inbox';
import { Backpressure } from './input-backpressure';
import { type InputQueue, skipFilteredBatch } from './input-merge';
import { claimedRange, queueBatch } from './input-queues';
import { type FetchedBatchReport, kafkaLoopConsumer } from './kafka-loop-consumer';
import { KeyPartitions } from './key-partitions';
import { type HandoverStates } from './routed-record';
import {
  fencedProducer,
  kafkaProducers,
  type ProducerSupplier,
  type TransactionalProducer,
} from './step-transaction';
import { type GovernedStreamObserver, loopReportsOf } from './stream-observer';
import { type PendingDeadLetter, type StreamTask } from './stream-task';
import { stepTask, type TaskStepContext } from './stream-task.step';
import { Wakeup } from './wakeup';

/** What the decision tasks need: where they read and write, the policy, and their bounds. */
export interface StreamTaskRunnerOptions {
  readonly groupId: string;
  readonly transactionalIdPrefix: string;
  readonly topics: EngineTopics;
  readonly policy: CompiledPolicy;
  /** The checked keyring (see `engineKeyring`). */
  readonly pseudonymKeys: PseudonymKeyring;
  /** Most input records one transaction covers. */
  readonly maxStepRecords: number;
  /** Records queued per input partition before its fetching pauses. */
  readonly maxQueuedPerPartition: number;
  readonly maxBytesPerPartition?: number;
  readonly transactionTimeoutMs?: number;
  readonly observer?: GovernedStreamObserver;
  /** Creates the tasks' transactional producers (default: the Kafka client's). */
  readonly producers?: ProducerSupplier;
  readonly claimBackoff?: Backoff;
  /** Creates each task's decision core (default: the policy library's processor). */
  readonly decisionCore?: DecisionCoreSupplier;
  /** Largest record written, key and headers included (default {@link DEFAULT_MAX_RECORD_BYTES}). */
  readonly maxRecordBytes?: number;
  /** Attempts per record before it is dead-lettered as `internal-error` (default 3). */
  readonly maxRecordAttempts?: number;
  /** Queued bytes per input partition before its fetching pauses. */
  readonly maxQueuedBytesPerPartition?: number;
  /**
   * Identity routing: the task's only event input is `routed` (written by the identity router in
   * produced order, keyed by home), plus the `handover` topic where tasks pass consent state to
   * each other at identity links. Without it, tasks read the raw inputs.
   */
  readonly routing?: { readonly routed: string; readonly handover: string; readonly releases: string };
}

/**
 * The governed stream's exactly-once decision tasks. Why not `TransactionalBatchProcessor` (one
 * transaction per input partition batch): decisions depend on processing order (a withdrawal
 * applies to whatever is processed after it), so a subject's evidence and source events must be
 * merged in produced order across topics, and a batch of one partition cannot wait for another's
 * without partial commits. So, as Kafka Streams does for co-partitioned topics: partition p of
 * every input forms task p; a co-partitioning assignor keeps a task on one instance; a task merges
 * its inputs by record timestamp and commits each step (outputs, lineage, dead letters, changelog
 * and the offsets of all its input partitions) in one transaction of its own transactional id.
 *
 * Consumption only fills queues (kafkajs offsets are never auto-committed). The {@link ClaimLoop}
 * steps each claimed task in its own loop, so a task's processor is never used by two steps at
 * once; this class says what claiming tasks means: fence, re-read committed offsets, restore
 * consent state from the changelog, seek.
 */
export class StreamTaskRunner implements ClaimWork {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly loop: ClaimLoop;
  private readonly backpressure: Backpressure;
  private readonly arrival = new Wakeup();
  private readonly tasks = new Map<number, StreamTask>();
  /** See {@link TaskStepContext.exportedHere}. */
  private readonly exportedHere = new Map<number, HandoverStates>();
  private readonly keyPartitions = new KeyPartitions();
  /** Failures per input record, kept across claims (see {@link RecordFailures}). */
  private readonly failures: RecordFailures;
  /** Corrupt changelog records already dead-lettered by this instance (topic/partition/offset). */
  private readonly reportedCorrupt = new Set<string>();
  /** Output topic → partition count, read when tasks are claimed. */
  private outputPartitions = new Map<string, number>();
  /** Topics whose partition p is merged by task p. */
  private readonly inputs: readonly string[];
  private readonly handover: readonly string[];
  /** With aggregates: the contributions topic, whose partition p task p counts. */
  private readonly contributions: readonly string[];
  private readonly place = (topic: string, key: string): number | undefined => {
    const count = this.outputPartitions.get(topic);
    return count === undefined ? undefined : this.keyPartitions.partitionOf(topic, count, key);
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly options: StreamTaskRunnerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      partitionAssigners: [coPartitionedAssigner],
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1048576,
    });
    this.admin = kafka.admin();
    this.failures = new RecordFailures(options.maxRecordAttempts);
    this.inputs = options.routing ? [options.routing.routed] : options.topics.inputs;
    this.handover = options.routing ? [options.routing.handover] : [];
    this.contributions = options.topics.counting === null ? [] : [options.topics.counting.contributions];
    this.backpressure = new Backpressure(
      this.consumer,
      options.maxQueuedPerPartition,
      options.maxQueuedBytesPerPartition,
    );
    const fetched = kafkaLoopConsumer(
      this.consumer,
      [...this.inputs, ...this.handover, ...this.contributions],
      {
        enqueue: (payload) => this.enqueue(payload),
        batchProcessed: (report) => this.batchProcessed(report),
      },
    );
    this.loop = new ClaimLoop(fetched, this, this.arrival, {
      claimBackoff: options.claimBackoff,
      observer: loopReportsOf('tasks', options.observer),
    });
  }

  /** True once the group was joined and every assigned task restored its state. */
  isCaughtUp(): boolean {
    return this.loop.isCaughtUp();
  }

  /** Partitions whose tasks this instance holds, ascending. */
  assignedPartitions(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  /** Connects, joins the group and starts the claim loop in the background. */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.loop.start();
  }

  /** Graceful stop: the steps in progress commit (or abort), then producers and consumer close. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.admin.disconnect().catch(() => undefined);
  }

  /** Claims the assigned tasks (partition p of any topic means task p); see {@link ClaimWork.claim}. */
  async claim(assignment: Assignment, lease: ClaimLease): Promise<readonly ClaimedUnit[]> {
    const wanted = [...new Set([...assignment.values()].flat())].sort((a, b) => a - b);
    if (wanted.length === 0) return [];
    const producers = new Map<number, TransactionalProducer>();
    try {
      // Fence first: a killed owner may have left a commit in progress (other tasks of the same
      // instance commit while one is held). Initialising the transactional id returns only once
      // that transaction is complete, so offsets and changelog read afterwards include it.
      for (const p of wanted) {
        const transactionalId = `${this.options.transactionalIdPrefix}-task-${p}`;
        const settings = { transactionalId, transactionTimeoutMs: this.options.transactionTimeoutMs };
        producers.set(
          p,
          await fencedProducer(this.kafka, this.options.producers ?? kafkaProducers, settings),
        );
      }
      await this.restoreTasks(wanted, producers);
    } catch (error) {
      this.tasks.clear();
      await Promise.all([...producers.values()].map((x) => x.disconnect().catch(() => undefined)));
      throw error;
    }
    const ctx: TaskStepContext = {
      groupId: this.options.groupId,
      topics: this.options.topics,
      handover: this.options.routing?.handover ?? null,
      releases: this.options.routing?.releases ?? null,
      maxStepRecords: this.options.maxStepRecords,
      admin: this.admin,
      backpressure: this.backpressure,
      arrival: this.arrival,
      lease,
      exportedHere: this.exportedHere,
      place: this.place,
      observer: this.options.observer,
      failures: this.failures,
      maxRecordBytes: this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    };
    return [...this.tasks.values()].map((task) => ({ id: task.partition, step: () => stepTask(ctx, task) }));
  }

  /** Drops every task: producers closed, paused fetching resumed. */
  async release(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    this.exportedHere.clear();
    for (const t of tasks) t.status = 'released';
    this.backpressure.resumeAll();
    await Promise.all(tasks.map((t) => t.producer.disconnect().catch(() => undefined)));
  }

  /** Reads committed offsets, end offsets and the changelog, then builds and seeks each task. */
  private async restoreTasks(
    wanted: number[],
    producers: ReadonlyMap<number, TransactionalProducer>,
  ): Promise<void> {
    const { topics, routing } = this.options;
    const inputs = this.inputs;
    const read = [...inputs, ...this.handover, ...this.contributions];
    const [committed, ...ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId: this.options.groupId, topics: read }),
      ...read.map((t) => this.admin.fetchTopicOffsets(t)),
    ]);
    const outputs = [
      topics.lineage,
      ...topics.destinations.values(),
      ...this.handover,
      ...(routing ? [routing.releases] : []),
      ...this.contributions,
      ...topics.aggregates.values(),
    ];
    const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: outputs });
    this.outputPartitions = new Map(meta.map((t) => [t.name, t.partitions.length]));
    const states = await readLatestStates(this.kafka, this.options.topics.changelog, new Set(wanted));
    // R23's counters, from the changelog their steps wrote with the contributions' offsets.
    const counts =
      topics.counting === null
        ? new Map<number, Map<string, KafkaMessage>>()
        : await readLatestStates(this.kafka, topics.counting.changelog, new Set(wanted));
    const restoring = {
      changelog: topics.changelog,
      deadLetter: topics.deadLetter,
      reported: this.reportedCorrupt,
      observer: this.options.observer,
    };
    let restoredSubjects = 0;
    for (const p of wanted) {
      const queues: InputQueue[] = inputs.map((topic, rank) => {
        const { start, end } = claimedRange(committed, ends[rank], topic, p);
        return { topic, rank, messages: [], next: start, end };
      });
      const inbox = routing
        ? new HandoverInbox(claimedRange(committed, ends[inputs.length], routing.handover, p).start)
        : null;
      const processor = (this.options.decisionCore ?? governanceCore)(this.options.policy, {
        pseudonymKeys: this.options.pseudonymKeys,
      });
      const pending: PendingDeadLetter[] = [];
      const counting =
        topics.counting === null
          ? null
          : {
              inbox: new CountingInbox(
                claimedRange(committed, ends[read.length - 1], topics.counting.contributions, p).start,
              ),
              counter: restoredCounter(this.options.policy, counts.get(p)),
            };
      for (const [key, message] of states.get(p) ?? [])
        if (restoreSubject(restoring, processor, key, { partition: p, message }, pending)) restoredSubjects++;
      const task: StreamTask = {
        partition: p,
        queues,
        queueByTopic: new Map(queues.map((q) => [q.topic, q])),
        producer: producers.get(p) as TransactionalProducer,
        processor,
        pending,
        status: 'active',
        inbox,
        counting,
      };
      this.tasks.set(p, task);
      for (const q of queues) this.consumer.seek({ topic: q.topic, partition: p, offset: q.next.toString() });
      if (routing && inbox)
        this.consumer.seek({ topic: routing.handover, partition: p, offset: inbox.next.toString() });
      if (topics.counting !== null && counting !== null)
        this.consumer.seek({
          topic: topics.counting.contributions,
          partition: p,
          offset: counting.inbox.next.toString(),
        });
    }
    this.options.observer?.tasksClaimed?.({ partitions: wanted, restoredSubjects });
  }

  private enqueue({ batch, isStale }: EachBatchPayload): void {
    const task = this.tasks.get(batch.partition);
    if (!task || task.status !== 'active' || isStale()) return;
    if (task.inbox !== null && batch.topic === this.options.routing?.handover) {
      for (const m of batch.messages)
        if (BigInt(m.offset) >= task.inbox.next && m.value !== null)
          task.inbox.add(BigInt(m.offset), JSON.parse(m.value.toString('utf8')) as HandoverStates);
      this.arrival.notify();
      return;
    }
    if (task.counting !== null && batch.topic === this.options.topics.counting?.contributions) {
      task.counting.inbox.add(batch.messages);
      if (batch.messages.length > 0) this.arrival.notify();
      return;
    }
    const q = task.queueByTopic.get(batch.topic);
    if (!q) return;
    const added = queueBatch(q, batch);
    if (batch.messages.length > 0) this.arrival.notify();
    this.backpressure.queued(q.topic, task.partition, q.messages.length, added);
  }

  private batchProcessed(report: FetchedBatchReport): void {
    const task = this.tasks.get(report.partition);
    const q = task?.status === 'active' ? task.queueByTopic.get(report.topic) : undefined;
    if (q !== undefined && skipFilteredBatch(q, report)) this.arrival.notify();
  }
}

/** A task's counter as its changelog left it (an unreadable record freezes what it held). */
function restoredCounter(
  policy: CompiledPolicy,
  records: ReadonlyMap<string, KafkaMessage> | undefined,
): AggregateCounter {
  const counter = new AggregateCounter(policy);
  for (const [key, message] of records ?? []) {
    let value: unknown = null;
    try {
      value = JSON.parse((message.value as Buffer).toString('utf8')) as unknown;
    } catch {
      // Not JSON: imported as null, which freezes the key.
    }
    counter.importState(key, value);
  }
  return counter;
}
