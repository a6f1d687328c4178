import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type Kafka,
  type Producer,
} from 'kafkajs';
import { isBinaryModeCloudEvent, type HeaderValue } from '@app/contracts';
import { type OutputRecord, producerConfig, readTopicToEnd, sendInTransaction } from '@app/kafka';
import { GovernanceProcessor, type CompiledPolicy, type ProcessResult } from '@app/policy';
import { coPartitionedAssigner } from './co-partitioned.assigner';
import { type EngineTopics } from './engine-topics';
import { emptyTally, toOutputRecords, type OutcomeTally } from './governed-output.mapper';
import { HandoverInbox } from './handover-inbox';
import { type InputQueue, skipFilteredBatch, takeInProducedOrder } from './input-merge';
import { KeyPartitions } from './key-partitions';
import { type HandoverMarker, type HandoverStates, originOf, routedKind } from './routed-record';
import { type StreamTask } from './stream-task';

/** Figures per committed step, for metrics and logs (names and counts only). */
export interface StepCommitted {
  readonly partition: number;
  readonly recordsIn: Map<string, number>;
  readonly recordsOut: number;
  readonly durationMs: number;
  readonly tally: OutcomeTally;
  /** Input topic → records behind the end offset after this step. */
  readonly lag: Map<string, number>;
}

export interface StreamTaskObserver {
  stepCommitted?(event: StepCommitted): void;
  stepFailed?(event: { partition: number; error: string }): void;
  tasksAssigned?(event: { partitions: number[]; restoredSubjects: number }): void;
}

export interface StreamTaskRunnerOptions {
  readonly groupId: string;
  readonly transactionalIdPrefix: string;
  readonly topics: EngineTopics;
  readonly policy: CompiledPolicy;
  readonly pseudonymKey: string;
  /** Most input records one transaction covers. */
  readonly maxStepRecords: number;
  /** Records queued per input partition before its fetching pauses. */
  readonly maxQueuedPerPartition: number;
  readonly maxBytesPerPartition?: number;
  readonly transactionTimeoutMs?: number;
  readonly observer?: StreamTaskObserver;
  /** Fault injection for tests: runs while the step's transaction is open with its outputs sent. */
  readonly afterOutputsSent?: (partition: number) => Promise<void>;
  /**
   * Identity routing: the task's only event input is `routed` (written by the identity router in
   * produced order, keyed by home), plus the `handover` topic where tasks pass consent state to
   * each other at identity links. Without it, tasks read the raw inputs.
   */
  readonly routing?: { readonly routed: string; readonly handover: string };
}

const IDLE_MS = 20;
/** How long a step may wait at an import marker for its states before committing what it has. */
const HANDOVER_WAIT_MS = 250;
const HANDOVER_POLL_MS = 5;
/** Most handovers kept in memory for importing tasks on this instance (see exportedHere). */
const MAX_EXPORTED_HERE = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lets the loop wait for new input instead of a fixed idle sleep. Why: a task blocked at an import
 * marker waits for another task's handover, and with identity routing that happens at every link;
 * a 20 ms sleep per blocked round was most of the engine's time on a link-heavy stream.
 */
class InputArrival {
  private signal: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** Resolves when input arrives, or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    this.signal ??= new Promise<void>((resolve) => (this.release = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([this.signal, timeout]).finally(() => clearTimeout(timer));
  }

  /** Called by the fetch handler whenever records were queued. */
  arrived(): void {
    this.release?.();
    this.signal = null;
    this.release = null;
  }
}
/** Error name and kafkajs type, never the message (messages may quote input). */
const errorName = (e: unknown): string => {
  if (!(e instanceof Error)) return typeof e;
  const type = (e as Error & { type?: unknown }).type;
  return typeof type === 'string' ? `${e.name}:${type}` : e.name;
};

/**
 * The governed stream's exactly-once runner. Why not `TransactionalBatchProcessor` (one
 * transaction per input partition batch): decisions depend on processing order (a withdrawal
 * applies to whatever is processed after it), so a subject's evidence and source events must be
 * merged in produced order across topics, and a batch of one partition cannot wait for another's
 * without partial commits. So, as Kafka Streams does for co-partitioned topics: partition p of
 * every input forms task p; a co-partitioning assignor keeps a task on one instance; a task merges
 * its inputs by record timestamp and commits each step (outputs, lineage, dead letters, changelog
 * and the offsets of all its input partitions) in one transaction of its own transactional id.
 *
 * Consumption only fills queues (kafkajs offsets are never auto-committed); each task runs its own
 * loop of steps, so a task's processor is never used by two steps at once. A failed step aborts,
 * all tasks stop, and the assigned ones are claimed afresh: fence, re-read committed offsets,
 * restore state from the changelog, seek.
 */
export class StreamTaskRunner {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly tasks = new Map<number, StreamTask>();
  private readonly arrival = new InputArrival();
  /**
   * Handovers exported by this instance's tasks, by id, so an importing task on the same instance
   * need not wait for the round trip through the handover topic. Safe before the exporting step
   * commits: a task's processing is deterministic from its committed state and its routed input,
   * so a replay after an abort exports the same states (and the topic copy is dropped as stale).
   * Bounded: an import on another instance never takes its entry.
   */
  private readonly exportedHere = new Map<number, HandoverStates>();
  private assignment: number[] | null = null;
  private assignmentChanged = false;
  private running = false;
  private loopDone: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private joined = false;
  private restoring = false;
  private readonly keyPartitions = new KeyPartitions();
  /** Output topic → partition count, read when tasks are claimed. */
  private outputPartitions = new Map<string, number>();
  /** Topics whose partition p is merged by task p. */
  private readonly inputs: readonly string[];
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
    this.inputs = options.routing ? [options.routing.routed] : options.topics.inputs;
  }

  /** True once the group was joined and every assigned task restored its state. */
  isCaughtUp(): boolean {
    return this.joined && !this.assignmentChanged && !this.restoring && this.running;
  }

  assignedPartitions(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const task = this.tasks.get(payload.partition);
      const q = task?.status === 'active' ? task.queueByTopic.get(payload.topic) : undefined;
      if (q !== undefined && skipFilteredBatch(q, payload)) this.arrival.arrived();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const partitions = new Set<number>();
      for (const list of Object.values(event.payload.memberAssignment))
        for (const p of list) partitions.add(p);
      this.assignment = [...partitions].sort((a, b) => a - b);
      this.assignmentChanged = true;
      this.joined = true;
    });
    const handover = this.options.routing ? [this.options.routing.handover] : [];
    await this.consumer.subscribe({ topics: [...this.inputs, ...handover], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.enqueue(payload),
    });
    this.loopDone = this.loop();
  }

  /** Graceful stop: the step in progress commits (or aborts), then producers and consumer close. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      await this.loopDone;
      await this.consumer.stop().catch(() => undefined);
      await this.releaseAll();
      await this.consumer.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    })();
    return this.stopping;
  }

  private enqueue({ batch, isStale }: EachBatchPayload): void {
    const task = this.tasks.get(batch.partition);
    if (!task || task.status !== 'active' || isStale()) return;
    if (task.inbox !== null && batch.topic === this.options.routing?.handover) {
      for (const m of batch.messages)
        if (BigInt(m.offset) >= task.inbox.next && m.value !== null)
          task.inbox.add(BigInt(m.offset), JSON.parse(m.value.toString('utf8')) as HandoverStates);
      this.arrival.arrived();
      return;
    }
    const q = task.queueByTopic.get(batch.topic);
    if (!q) return;
    q.end = BigInt(batch.highWatermark) > q.end ? BigInt(batch.highWatermark) : q.end;
    for (const m of batch.messages) if (BigInt(m.offset) >= q.next) q.messages.push(m);
    const after = BigInt(batch.lastOffset()) + 1n;
    if (after > q.next) q.next = after;
    if (batch.messages.length > 0) this.arrival.arrived();
    if (q.messages.length >= this.options.maxQueuedPerPartition && !task.paused.has(q.topic)) {
      task.paused.add(q.topic);
      this.consumer.pause([{ topic: q.topic, partitions: [task.partition] }]);
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.assignmentChanged) {
        try {
          await this.reconcile();
        } catch (error) {
          this.options.observer?.stepFailed?.({ partition: -1, error: errorName(error) });
          await sleep(500);
          continue;
        }
      }
      const tasks = [...this.tasks.values()];
      if (tasks.length === 0) await this.arrival.wait(IDLE_MS);
      // Tasks share nothing (own processor, producer, inputs): each runs its own loop, so a task
      // waiting for a handover resumes when it arrives, not when every other task's step is done.
      else await Promise.all(tasks.map((task) => this.runTask(task)));
      if (this.assignmentChanged) await sleep(200);
    }
  }

  /** Steps one task until it fails, the assignment changes or the runner stops. */
  private async runTask(task: StreamTask): Promise<void> {
    while (this.running && !this.assignmentChanged && task.status === 'active') {
      let progressed: boolean;
      try {
        progressed = await this.step(task);
      } catch (error) {
        this.options.observer?.stepFailed?.({ partition: task.partition, error: errorName(error) });
        // Unknown outcome: only a fresh claim (fence + committed offsets + changelog) is safe.
        this.assignmentChanged = true;
        return;
      }
      if (!progressed) await this.arrival.wait(IDLE_MS);
    }
  }

  /** Drops every task and claims the assigned ones afresh (kafkajs also restarts from committed offsets). */
  private async reconcile(): Promise<void> {
    this.assignmentChanged = false;
    this.restoring = true;
    try {
      await this.claimAll(this.assignment ?? []);
    } finally {
      this.restoring = false;
    }
  }

  private async claimAll(wanted: number[]): Promise<void> {
    await this.releaseAll();
    this.exportedHere.clear();
    if (wanted.length === 0) return;
    const { topics, routing } = this.options;
    const inputs = this.inputs;
    const handover = routing ? [routing.handover] : [];
    // Fence first: a killed owner may have left a commit in progress (other tasks of the same
    // instance commit while one is held). Initialising the transactional id returns only once
    // that transaction is complete, so offsets and changelog read afterwards include it.
    const producers = new Map<number, Producer>();
    try {
      for (const p of wanted) {
        const producer = this.kafka.producer(
          producerConfig({
            transactionalId: `${this.options.transactionalIdPrefix}-task-${p}`,
            idempotent: true,
            maxInFlightRequests: 1,
            transactionTimeout: this.options.transactionTimeoutMs ?? 60000,
          }),
        );
        producers.set(p, producer);
        await producer.connect();
        // InitProducerId: fences the previous owner and aborts its open transaction.
        await (await producer.transaction()).abort();
      }
    } catch (error) {
      await Promise.all([...producers.values()].map((x) => x.disconnect().catch(() => undefined)));
      throw error;
    }
    const [committed, ...ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [...inputs, ...handover] }),
      ...[...inputs, ...handover].map((t) => this.admin.fetchTopicOffsets(t)),
    ]);
    const outputs = [topics.lineage, ...topics.destinations.values(), ...handover];
    const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: outputs });
    this.outputPartitions = new Map(meta.map((t) => [t.name, t.partitions.length]));
    const states = await this.restore(new Set(wanted));
    let restoredSubjects = 0;
    for (const p of wanted) {
      const producer = producers.get(p) as Producer;
      const startOf = (topic: string, rank: number): { start: bigint; end: bigint } => {
        const c = committed.find((r) => r.topic === topic)?.partitions.find((x) => x.partition === p)?.offset;
        const o = ends[rank]?.find((x) => x.partition === p);
        const start = c !== undefined && BigInt(c) >= 0n ? BigInt(c) : BigInt(o?.low ?? '0');
        return { start, end: BigInt(o?.high ?? '0') };
      };
      const queues: InputQueue[] = inputs.map((topic, rank) => {
        const { start, end } = startOf(topic, rank);
        return { topic, rank, messages: [], next: start, end };
      });
      const inbox = routing ? new HandoverInbox(startOf(routing.handover, inputs.length).start) : null;
      const processor = new GovernanceProcessor(this.options.policy, {
        pseudonymKey: this.options.pseudonymKey,
      });
      for (const [key, value] of states.get(p) ?? []) {
        processor.importState(key, JSON.parse(value.toString('utf8')) as unknown);
        restoredSubjects++;
      }
      const task: StreamTask = {
        partition: p,
        queues,
        queueByTopic: new Map(queues.map((q) => [q.topic, q])),
        producer,
        processor,
        status: 'active',
        paused: new Set(),
        inbox,
      };
      this.tasks.set(p, task);
      for (const q of queues) this.consumer.seek({ topic: q.topic, partition: p, offset: q.next.toString() });
      if (routing && inbox)
        this.consumer.seek({ topic: routing.handover, partition: p, offset: inbox.next.toString() });
    }
    this.options.observer?.tasksAssigned?.({ partitions: wanted, restoredSubjects });
  }

  /** Latest state per subject of the wanted changelog partitions (task p writes partition p). */
  private async restore(wanted: Set<number>): Promise<Map<number, Map<string, Buffer>>> {
    const out = new Map<number, Map<string, Buffer>>();
    await readTopicToEnd(this.kafka, {
      topic: this.options.topics.changelog,
      onBatch: ({ partition, messages }) => {
        if (!wanted.has(partition)) return;
        let latest = out.get(partition);
        if (!latest) out.set(partition, (latest = new Map()));
        for (const m of messages) {
          if (m.key === null) continue;
          if (m.value === null) latest.delete(m.key.toString('utf8'));
          else latest.set(m.key.toString('utf8'), m.value);
        }
      },
    });
    return out;
  }

  private async releaseAll(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    for (const t of tasks) {
      t.status = 'released';
      if (t.paused.size > 0)
        this.consumer.resume([...t.paused].map((topic) => ({ topic, partitions: [t.partition] })));
    }
    await Promise.all(tasks.map((t) => t.producer.disconnect().catch(() => undefined)));
  }

  /** One transaction: takes records in produced order, decides them, commits. False if idle. */
  private async step(task: StreamTask): Promise<boolean> {
    const available = task.queues.map((q) => q.messages.length);
    if (available.every((n) => n === 0)) return false;
    const nextAtSnapshot = task.queues.map((q) => q.next);
    const started = performance.now();
    // End offsets come from the fetch responses (high watermarks). They only matter where the merge
    // ran a queue dry and took it for read to the end: only then is a fresh lookup worth its round
    // trip, and the merge is redone against it (the merge is pure; nothing was consumed yet).
    let taken = takeInProducedOrder(task.queues, available, nextAtSnapshot, this.options.maxStepRecords);
    const drained = task.queues.filter(
      (q, i) =>
        taken.reduce((n, t) => (t.queue === q ? n + 1 : n), 0) === available[i] &&
        (nextAtSnapshot[i] as bigint) >= q.end,
    );
    // A single input (identity routing) has nothing to merge with: no end offsets needed.
    if (taken.length > 0 && drained.length > 0 && task.queues.length > 1) {
      const ends = await Promise.all(drained.map((q) => this.admin.fetchTopicOffsets(q.topic)));
      drained.forEach((q, i) => {
        const high = ends[i]?.find((x) => x.partition === task.partition)?.high;
        if (high !== undefined && BigInt(high) > q.end) q.end = BigInt(high);
      });
      taken = takeInProducedOrder(task.queues, available, nextAtSnapshot, this.options.maxStepRecords);
    }
    if (taken.length === 0) return false;

    const { topics } = this.options;
    const tally = emptyTally();
    const records: OutputRecord[] = [];
    const changed = new Map<string, object | null>();
    const recordsIn = new Map<string, number>();
    let used = 0;
    for (const { queue, message } of taken) {
      const kind = task.inbox === null ? 'event' : routedKind(message.headers);
      if (kind !== 'event') {
        // An import marker whose states have not arrived: wait for them inside the step for a
        // while (the exporting task is usually just behind; ending the step at every link made
        // tiny transactions the engine's main cost), then end the step; the next resumes here.
        let done = this.handOver(task, kind, message.value, changed, records);
        while (
          !done &&
          performance.now() - started < HANDOVER_WAIT_MS &&
          this.running &&
          !this.assignmentChanged
        ) {
          await this.arrival.wait(HANDOVER_POLL_MS);
          done = this.handOver(task, kind, message.value, changed, records);
        }
        if (!done) break;
        used++;
        continue;
      }
      const origin = originOf(message, { topic: queue.topic, partition: task.partition });
      const ctx = { topic: origin.topic, partition: origin.partition, offset: origin.message.offset };
      const result = this.decide(task.processor, origin.message.headers ?? {}, message.value, ctx);
      toOutputRecords(result, origin, topics, tally, records, this.place);
      for (const c of result.stateChanges) changed.set(c.subjectKey, c.state);
      recordsIn.set(origin.topic, (recordsIn.get(origin.topic) ?? 0) + 1);
      used++;
    }
    if (used === 0) return false;
    taken = taken.slice(0, used);
    // Serialised once per key at the end of the step: the state as of the step's last record.
    for (const [key, state] of changed) {
      records.push({
        topic: topics.changelog,
        partition: task.partition,
        key,
        value: state === null ? null : JSON.stringify(state),
      });
    }
    const counts = task.queues.map(() => 0);
    for (const t of taken) counts[t.queue.rank] = (counts[t.queue.rank] as number) + 1;
    const offsets = task.queues.flatMap((q, i) => {
      const n = counts[i] as number;
      if (n === 0) return [];
      const through =
        n === available[i]
          ? (nextAtSnapshot[i] as bigint)
          : BigInt((q.messages[n - 1] as { offset: string }).offset) + 1n;
      return [{ topic: q.topic, partitions: [{ partition: task.partition, offset: through.toString() }] }];
    });
    if (task.inbox !== null && this.options.routing) {
      const offset = task.inbox.committable().toString();
      offsets.push({
        topic: this.options.routing.handover,
        partitions: [{ partition: task.partition, offset }],
      });
    }

    const transaction = await task.producer.transaction();
    try {
      await sendInTransaction(transaction, records);
      await this.options.afterOutputsSent?.(task.partition);
      await transaction.sendOffsets({ consumerGroupId: this.options.groupId, topics: offsets });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }

    task.queues.forEach((q, i) => {
      q.messages.splice(0, counts[i] as number);
      if (task.paused.has(q.topic) && q.messages.length < this.options.maxQueuedPerPartition / 2) {
        task.paused.delete(q.topic);
        this.consumer.resume([{ topic: q.topic, partitions: [task.partition] }]);
      }
    });
    const lag = new Map(task.queues.map((q) => [q.topic, Number(q.end - q.next) + q.messages.length]));
    this.options.observer?.stepCommitted?.({
      partition: task.partition,
      recordsIn,
      recordsOut: records.length,
      durationMs: performance.now() - started,
      tally,
      lag,
    });
    return true;
  }

  /**
   * A handover marker. Export: the keys leave this task (their state goes to the new home's task
   * in this step's transaction, and tombstones to this task's changelog). Import: the states the
   * old home exported are imported before the link is decided; false if they have not arrived.
   */
  private handOver(
    task: StreamTask,
    kind: 'export' | 'import',
    value: Buffer | null,
    changed: Map<string, object | null>,
    records: OutputRecord[],
  ): boolean {
    const marker = JSON.parse(value?.toString('utf8') ?? 'null') as HandoverMarker;
    const { processor } = task;
    if (kind === 'export') {
      const states = marker.keys.map((key): [string, unknown] => {
        const state = processor.exportState(key);
        processor.importState(key, null);
        changed.set(key, null);
        return [key, state];
      });
      const handover = (this.options.routing as { handover: string }).handover;
      const out: HandoverStates = { id: marker.id, states };
      this.exportedHere.set(marker.id, out);
      if (this.exportedHere.size > MAX_EXPORTED_HERE)
        this.exportedHere.delete(this.exportedHere.keys().next().value as number);
      this.arrival.arrived();
      records.push({
        topic: handover,
        key: marker.to,
        value: JSON.stringify(out),
        partition: this.place(handover, marker.to),
      });
      return true;
    }
    const inbox = task.inbox as HandoverInbox;
    let arrived = inbox.take(marker.id);
    const local = this.exportedHere.get(marker.id);
    if (arrived === null && local !== undefined) {
      inbox.taken(marker.id);
      arrived = local;
    }
    this.exportedHere.delete(marker.id);
    if (arrived === null) return false;
    for (const [key, state] of arrived.states) {
      processor.importState(key, state);
      const imported = processor.exportState(key);
      changed.set(key, imported);
    }
    return true;
  }

  private decide(
    processor: GovernanceProcessor,
    headers: IHeaders,
    value: Buffer | null,
    ctx: { topic: string; partition: number; offset: string },
  ): ProcessResult {
    const h = headers as Readonly<Record<string, HeaderValue>>;
    if (isBinaryModeCloudEvent(h)) return processor.processBinary(h, value, ctx);
    return processor.process(value ?? new Uint8Array(0), ctx);
  }
}
