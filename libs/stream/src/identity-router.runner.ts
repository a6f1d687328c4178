import { type Admin, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { type OutputRecord, producerConfig, readTopicToEnd, sendInTransaction } from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';
import { IdentityHomes } from './identity-homes';
import { routeOne, SEQUENCE_KEY, type RouterSequence, type RouteTargets } from './identity-route.step';
import { type InputQueue, skipFilteredBatch, takeInProducedOrder } from './input-merge';
import { KeyPartitions } from './key-partitions';
import { singleOwnerAssigner } from './single-owner.assigner';

export interface IdentityRouterOptions {
  /** The router's own consumer group (its offsets are those of the raw inputs). */
  readonly groupId: string;
  readonly transactionalId: string;
  /** Raw inputs in merge tie-break order (evidence first). */
  readonly inputs: readonly string[];
  readonly routed: string;
  readonly homes: string;
  readonly policy: CompiledPolicy;
  readonly maxStepRecords: number;
  readonly maxQueuedPerPartition: number;
  readonly maxBytesPerPartition?: number;
  readonly transactionTimeoutMs?: number;
  readonly onStepFailed?: (error: string) => void;
  /** A routing step committed: records routed, state handovers started, raw-input lag. */
  readonly onStepCommitted?: (event: RouteStepCommitted) => void;
  /** The raw inputs were claimed and the table restored (`aliases`: entries restored). */
  readonly onClaimed?: (event: { partitions: number; aliases: number }) => void;
}

/** Figures of one committed routing step (names and counts only). */
export interface RouteStepCommitted {
  readonly records: number;
  /** Links whose alias's state moves to another task (one export and one import marker each). */
  readonly handovers: number;
  readonly durationMs: number;
  /** Raw input topic → partition → records behind its end offset after this step. */
  readonly lag: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

interface RouterQueue extends InputQueue {
  readonly partition: number;
}

const IDLE_MS = 20;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorName = (e: unknown): string => (e instanceof Error ? e.name : typeof e);

/**
 * The identity router: one task over every partition of every raw input. Why one task: a link is
 * keyed by the customer but changes where the alias's (cookie's) later events must be decided, and
 * those live in other partitions; merging all partitions in produced order in one place gives the
 * one order in which the table changes, with no progress protocol between parallel routers. Each
 * routed partition then has this single writer, so the decision tasks read it in produced order
 * too. The router does no decision work (it parses, looks up, copies), so one task keeps up with
 * several decision tasks.
 *
 * Exactly once as the decision tasks: one transaction per step (routed records, markers, table
 * changes, input offsets) under one transactional id; claiming the partitions initialises that id
 * (fencing a previous owner), re-reads the committed offsets and restores the table from `homes`.
 */
export class IdentityRouter {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly keyPartitions = new KeyPartitions();
  private queues: RouterQueue[] = [];
  private queueByTp = new Map<string, RouterQueue>();
  private readonly paused = new Set<string>();
  private producer: Producer | null = null;
  private homes: IdentityHomes;
  private sequence: RouterSequence = { last: 0 };
  private targets: RouteTargets | null = null;
  private assignment: Map<string, number[]> | null = null;
  private assignmentChanged = false;
  private joined = false;
  private restoring = false;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: IdentityRouterOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      partitionAssigners: [singleOwnerAssigner],
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1048576,
    });
    this.admin = kafka.admin();
    this.homes = new IdentityHomes(options.policy);
  }

  /** Joined, and the table restored if this member routes. */
  isCaughtUp(): boolean {
    return this.joined && !this.assignmentChanged && !this.restoring && this.running;
  }

  /** True while this member owns the raw inputs. */
  isRouting(): boolean {
    return this.producer !== null;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const q = this.queueByTp.get(`${payload.topic}:${payload.partition}`);
      if (q !== undefined && this.producer !== null) skipFilteredBatch(q, payload);
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assignment = new Map(Object.entries(event.payload.memberAssignment));
      this.assignmentChanged = true;
      this.joined = true;
    });
    await this.consumer.subscribe({ topics: [...this.options.inputs], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.enqueue(payload),
    });
    this.loopDone = this.loop();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      await this.loopDone;
      await this.consumer.stop().catch(() => undefined);
      await this.release();
      await this.consumer.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    })();
    return this.stopping;
  }

  private enqueue({ batch, isStale }: EachBatchPayload): void {
    const q = this.queueByTp.get(`${batch.topic}:${batch.partition}`);
    if (!q || this.producer === null || isStale()) return;
    q.end = BigInt(batch.highWatermark) > q.end ? BigInt(batch.highWatermark) : q.end;
    for (const m of batch.messages) if (BigInt(m.offset) >= q.next) q.messages.push(m);
    const after = BigInt(batch.lastOffset()) + 1n;
    if (after > q.next) q.next = after;
    const tp = `${q.topic}:${q.partition}`;
    if (q.messages.length >= this.options.maxQueuedPerPartition && !this.paused.has(tp)) {
      this.paused.add(tp);
      this.consumer.pause([{ topic: q.topic, partitions: [q.partition] }]);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.assignmentChanged) {
        this.assignmentChanged = false;
        this.restoring = true;
        try {
          await this.claim(this.assignment ?? new Map());
        } catch (error) {
          this.options.onStepFailed?.(errorName(error));
          this.assignmentChanged = true;
          await sleep(500);
          continue;
        } finally {
          this.restoring = false;
        }
      }
      let progressed = false;
      try {
        progressed = this.producer !== null && (await this.step());
      } catch (error) {
        this.options.onStepFailed?.(errorName(error));
        // Unknown outcome: only a fresh claim (fence + committed offsets + table) is safe.
        this.assignmentChanged = true;
        await sleep(200);
        continue;
      }
      if (!progressed) await sleep(IDLE_MS);
    }
  }

  private async claim(assignment: Map<string, number[]>): Promise<void> {
    await this.release();
    const owned = [...assignment].filter(([, ps]) => ps.length > 0);
    if (owned.length === 0) return;
    const producer = this.kafka.producer(
      producerConfig({
        transactionalId: this.options.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.options.transactionTimeoutMs ?? 60000,
      }),
    );
    await producer.connect();
    // InitProducerId: fences the previous owner and aborts its open transaction; it returns once a
    // commit the previous owner left in progress is complete, so offsets and table read next include it.
    await (await producer.transaction()).abort();
    try {
      const { inputs } = this.options;
      const [committed, ...ends] = await Promise.all([
        this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [...inputs] }),
        ...inputs.map((t) => this.admin.fetchTopicOffsets(t)),
      ]);
      const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: [this.options.routed] });
      const count = meta[0]?.partitions.length ?? 0;
      this.targets = {
        routed: this.options.routed,
        homes: this.options.homes,
        partitionOf: (key) => this.keyPartitions.partitionOf(this.options.routed, count, key),
      };
      await this.restore();
      // Tie-break order of the merge: input rank (evidence first), then partition.
      this.queues = inputs.flatMap((topic, rank) =>
        (assignment.get(topic) ?? [])
          .sort((a, b) => a - b)
          .map((partition) => {
            const c = committed
              .find((r) => r.topic === topic)
              ?.partitions.find((x) => x.partition === partition)?.offset;
            const o = ends[rank]?.find((x) => x.partition === partition);
            const start = c !== undefined && BigInt(c) >= 0n ? BigInt(c) : BigInt(o?.low ?? '0');
            return { topic, rank, partition, messages: [], next: start, end: BigInt(o?.high ?? '0') };
          }),
      );
      this.queueByTp = new Map(this.queues.map((q) => [`${q.topic}:${q.partition}`, q]));
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    for (const q of this.queues)
      this.consumer.seek({ topic: q.topic, partition: q.partition, offset: q.next.toString() });
    this.options.onClaimed?.({ partitions: this.queues.length, aliases: [...this.homes.entries()].length });
  }

  /** The table and the handover sequence as of the last committed step. */
  private async restore(): Promise<void> {
    const homes = new IdentityHomes(this.options.policy);
    const sequence = { last: 0 };
    await readTopicToEnd(this.kafka, {
      topic: this.options.homes,
      onBatch: ({ messages }) => {
        for (const m of messages) {
          if (m.key === null) continue;
          const key = m.key.toString('utf8');
          const value = m.value === null ? null : m.value.toString('utf8');
          if (key === SEQUENCE_KEY) sequence.last = Number(value ?? '0');
          else homes.restore(key, value);
        }
      },
    });
    this.homes = homes;
    this.sequence = sequence;
  }

  private async release(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (this.paused.size > 0) {
      this.consumer.resume(
        [...this.paused].map((tp) => {
          const i = tp.lastIndexOf(':');
          return { topic: tp.slice(0, i), partitions: [Number(tp.slice(i + 1))] };
        }),
      );
      this.paused.clear();
    }
    this.queues = [];
    this.queueByTp = new Map();
    await producer?.disconnect().catch(() => undefined);
  }

  /** One transaction: routes records in produced order across all partitions. False if idle. */
  private async step(): Promise<boolean> {
    const queues = this.queues;
    const producer = this.producer as Producer;
    const targets = this.targets as RouteTargets;
    const available = queues.map((q) => q.messages.length);
    if (available.every((n) => n === 0)) return false;
    const nextAtSnapshot = queues.map((q) => q.next);
    let taken = takeInProducedOrder(queues, available, nextAtSnapshot, this.options.maxStepRecords);
    // As in the decision tasks: a queue read dry is only "read to its end" against a fresh end offset.
    const drained = queues.filter(
      (q, i) =>
        (nextAtSnapshot[i] as bigint) >= q.end && taken.filter((t) => t.queue === q).length === available[i],
    );
    if (drained.length > 0) {
      const topics = [...new Set(drained.map((q) => q.topic))];
      const ends = await Promise.all(topics.map((t) => this.admin.fetchTopicOffsets(t)));
      for (const q of drained) {
        const high = ends[topics.indexOf(q.topic)]?.find((x) => x.partition === q.partition)?.high;
        if (high !== undefined && BigInt(high) > q.end) q.end = BigInt(high);
      }
      taken = takeInProducedOrder(queues, available, nextAtSnapshot, this.options.maxStepRecords);
    }
    if (taken.length === 0) return false;
    const started = performance.now();

    const records: OutputRecord[] = [];
    const sequenceBefore = this.sequence.last;
    const sequence = { last: sequenceBefore };
    // Routing changes the table; a failed step must not leave those changes behind (the claim
    // after a failure restores the table from the changelog).
    for (const { queue, message } of taken) {
      const q = queue as RouterQueue;
      routeOne(this.homes, { topic: q.topic, partition: q.partition, message }, targets, sequence, records);
    }
    if (sequence.last !== sequenceBefore)
      records.push({ topic: targets.homes, key: SEQUENCE_KEY, value: String(sequence.last), partition: 0 });
    const counts = new Map<RouterQueue, number>();
    for (const t of taken) counts.set(t.queue as RouterQueue, (counts.get(t.queue as RouterQueue) ?? 0) + 1);
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const [q, n] of counts) {
      const i = queues.indexOf(q);
      const through =
        n === available[i]
          ? (nextAtSnapshot[i] as bigint)
          : BigInt((q.messages[n - 1] as { offset: string }).offset) + 1n;
      let list = byTopic.get(q.topic);
      if (!list) byTopic.set(q.topic, (list = []));
      list.push({ partition: q.partition, offset: through.toString() });
    }
    const transaction = await producer.transaction();
    try {
      await sendInTransaction(transaction, records);
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    this.sequence = sequence;
    for (const [q, n] of counts) {
      q.messages.splice(0, n);
      const tp = `${q.topic}:${q.partition}`;
      if (this.paused.has(tp) && q.messages.length < this.options.maxQueuedPerPartition / 2) {
        this.paused.delete(tp);
        this.consumer.resume([{ topic: q.topic, partitions: [q.partition] }]);
      }
    }
    if (this.options.onStepCommitted) {
      const lag = new Map<string, Map<number, number>>();
      for (const q of queues) {
        let byPartition = lag.get(q.topic);
        if (!byPartition) lag.set(q.topic, (byPartition = new Map()));
        byPartition.set(q.partition, Number(q.end - q.next) + q.messages.length);
      }
      this.options.onStepCommitted({
        records: taken.length,
        handovers: sequence.last - sequenceBefore,
        durationMs: performance.now() - started,
        lag,
      });
    }
    return true;
  }
}
