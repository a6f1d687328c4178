import { type Admin, type Consumer, type EachBatchPayload, type Kafka, type TopicOffsets } from 'kafkajs';
import { type OutputRecord } from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';
import { type Assignment, type Backoff, ClaimLoop, type ClaimWork, type ClaimedUnit } from './claim-loop';
import { IdentityHomes } from './identity-homes';
import { HomeReleases } from './identity-homes.release';
import { releaseLogRecords } from './identity-homes.release-log';
import { restoreIdentityHomes } from './identity-homes.restore';
import { parseRelease } from './identity-release.record';
import { SEQUENCE_KEY, sequenceValue, type RouterSequence, type RouteTargets } from './identity-route.step';
import { Backpressure, queuedBytes } from './input-backpressure';
import { type InputQueue, skipFilteredBatch, takeInProducedOrder } from './input-merge';
import { claimedRange, offsetThrough, queueBatch, readDry, refreshEnds } from './input-queues';
import { type FetchedBatchReport, kafkaLoopConsumer } from './kafka-loop-consumer';
import { KeyPartitions } from './key-partitions';
import { routeGuarded } from './identity-route.guard';
import { type RecordAt, RecordFailures, type RecordVerdict } from './record-failures';
import { singleOwnerAssigner } from './single-owner.assigner';
import {
  commitStep,
  fencedProducer,
  kafkaProducers,
  type ProducerSupplier,
  type TransactionalProducer,
} from './step-transaction';
import { type GovernedStreamObserver, loopReportsOf } from './stream-observer';
import { Wakeup } from './wakeup';

/** What the identity router needs: its group and transactional id, raw inputs, outputs and bounds. */
export interface IdentityRouterOptions {
  /** The router's own consumer group (its offsets are those of the raw inputs). */
  readonly groupId: string;
  readonly transactionalId: string;
  /** Raw inputs in merge tie-break order (evidence first). */
  readonly inputs: readonly string[];
  readonly routed: string;
  readonly homes: string;
  /** The decision tasks' releases (keys whose state they forgot): the router shrinks its table by them. */
  readonly releases: string;
  readonly policy: CompiledPolicy;
  readonly maxStepRecords: number;
  readonly maxQueuedPerPartition: number;
  readonly maxBytesPerPartition?: number;
  readonly transactionTimeoutMs?: number;
  /** Told of claims (`routerClaimed`), committed routing steps and failures. */
  readonly observer?: GovernedStreamObserver;
  /** Creates the router's transactional producer (default: the Kafka client's). */
  readonly producers?: ProducerSupplier;
  readonly claimBackoff?: Backoff;
  /** Where a record whose routing keeps failing (or whose routed copy is too large) goes. */
  readonly deadLetter: string;
  /** Largest record written, key and headers included (default {@link DEFAULT_MAX_RECORD_BYTES}). */
  readonly maxRecordBytes?: number;
  /** Attempts per input record before it is dead-lettered as `internal-error` (default 3). */
  readonly maxRecordAttempts?: number;
  /** Queued bytes per input partition before its fetching pauses. */
  readonly maxQueuedBytesPerPartition?: number;
}

interface RouterQueue extends InputQueue {
  readonly partition: number;
}

/** What one claim of the raw inputs holds. */
interface RouterClaim {
  readonly producer: TransactionalProducer;
  readonly queues: readonly RouterQueue[];
  /** The release topic's partitions: read in offset order, outside the produced-order merge. */
  readonly releaseQueues: readonly RouterQueue[];
  readonly targets: RouteTargets;
}

/**
 * The identity router: one task over every partition of every raw input. Why one task: a link is
 * keyed by the customer but changes where the alias's (cookie's) later events must be decided, and
 * those live in other partitions; merging all partitions in produced order in one place gives the
 * one order in which the table changes, with no progress protocol between parallel routers. Each
 * routed partition then has this single writer, so the decision tasks read it in produced order
 * too. The router does no decision work (it parses, looks up, copies), so one task keeps up with
 * several decision tasks.
 *
 * Exactly once as the decision tasks, under the same {@link ClaimLoop}: one transaction per step
 * (routed records, markers, table changes, input offsets) under one transactional id; claiming the
 * partitions initialises that id (fencing a previous owner), re-reads the committed offsets and
 * restores the table from `homes`. Members that are not given the inputs stand by.
 */
export class IdentityRouter implements ClaimWork {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly loop: ClaimLoop;
  private readonly backpressure: Backpressure;
  private readonly arrival = new Wakeup();
  private readonly keyPartitions = new KeyPartitions();
  private claimed: RouterClaim | null = null;
  private queueByTp = new Map<string, RouterQueue>();
  private homes: IdentityHomes;
  /** The rule that shrinks the table, fed by what is routed and by the tasks' releases. */
  private releases: HomeReleases;
  private sequence: RouterSequence = { last: 0, position: 0 };
  /** Failures per raw input record, kept across claims (see {@link RecordFailures}). */
  private readonly failures: RecordFailures;

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
    this.releases = new HomeReleases(this.homes);
    this.failures = new RecordFailures(options.maxRecordAttempts);
    this.backpressure = new Backpressure(
      this.consumer,
      options.maxQueuedPerPartition,
      options.maxQueuedBytesPerPartition,
    );
    const fetched = kafkaLoopConsumer(this.consumer, [...options.inputs, options.releases], {
      enqueue: (payload) => this.enqueue(payload),
      batchProcessed: (report) => this.batchProcessed(report),
    });
    this.loop = new ClaimLoop(fetched, this, this.arrival, {
      claimBackoff: options.claimBackoff,
      observer: loopReportsOf('router', options.observer),
    });
  }

  /** Joined, and the table restored if this member routes. */
  isCaughtUp(): boolean {
    return this.loop.isCaughtUp();
  }

  /** Connects, joins the router's group and starts the claim loop in the background. */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.loop.start();
  }

  /** Graceful stop: the step in progress commits (or aborts), then producer and consumer close. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.admin.disconnect().catch(() => undefined);
  }

  /** Claims the raw inputs if this member was given them; see {@link ClaimWork.claim}. */
  async claim(assignment: Assignment): Promise<readonly ClaimedUnit[]> {
    if (![...assignment.values()].some((ps) => ps.length > 0)) return [];
    const { inputs, releases } = this.options;
    const producer = await fencedProducer(this.kafka, this.options.producers ?? kafkaProducers, {
      transactionalId: this.options.transactionalId,
      transactionTimeoutMs: this.options.transactionTimeoutMs,
    });
    let claimed: RouterClaim;
    try {
      const [committed, ...ends] = await Promise.all([
        this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [...inputs, releases] }),
        ...[...inputs, releases].map((t) => this.admin.fetchTopicOffsets(t)),
      ]);
      const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: [this.options.routed] });
      const count = meta[0]?.partitions.length ?? 0;
      const targets: RouteTargets = {
        routed: this.options.routed,
        homes: this.options.homes,
        partitionOf: (key) => this.keyPartitions.partitionOf(this.options.routed, count, key),
      };
      const restored = await restoreIdentityHomes(this.kafka, this.options.homes, this.options.policy);
      ({ homes: this.homes, sequence: this.sequence } = restored);
      // Releases on record and the positions of their homes come back from the release log; any
      // other home counts as last routed at the restored position.
      this.releases = new HomeReleases(this.homes, this.sequence.position, targets.partitionOf, restored.log);
      // Tie-break order of the merge: input rank (evidence first), then partition.
      const queues = inputs.flatMap((topic, rank) =>
        [...(assignment.get(topic) ?? [])]
          .sort((a, b) => a - b)
          .map((partition): RouterQueue => {
            const { start, end } = claimedRange(committed, ends[rank], topic, partition);
            return { topic, rank, partition, messages: [], next: start, end };
          }),
      );
      const releaseQueues = [...(assignment.get(releases) ?? [])]
        .sort((a, b) => a - b)
        .map((partition): RouterQueue => {
          const { start, end } = claimedRange(committed, ends[inputs.length], releases, partition);
          return { topic: releases, rank: inputs.length, partition, messages: [], next: start, end };
        });
      claimed = { producer, queues, releaseQueues, targets };
      this.claimed = claimed;
      this.queueByTp = new Map([...queues, ...releaseQueues].map((q) => [`${q.topic}:${q.partition}`, q]));
      for (const q of [...queues, ...releaseQueues])
        this.consumer.seek({ topic: q.topic, partition: q.partition, offset: q.next.toString() });
    } catch (error) {
      this.claimed = null;
      this.queueByTp = new Map();
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    const table = this.homes.size();
    this.options.observer?.routerClaimed?.({
      partitions: claimed.queues.length,
      aliases: table.keys,
      groups: table.groups,
    });
    return [{ id: -1, step: () => this.step(claimed) }];
  }

  /** Gives the raw inputs up: producer closed, paused fetching resumed. */
  async release(): Promise<void> {
    const producer = this.claimed?.producer;
    this.claimed = null;
    this.queueByTp = new Map();
    this.backpressure.resumeAll();
    await producer?.disconnect().catch(() => undefined);
  }

  private enqueue({ batch, isStale }: EachBatchPayload): void {
    const q = this.queueByTp.get(`${batch.topic}:${batch.partition}`);
    if (!q || this.claimed === null || isStale()) return;
    const added = queueBatch(q, batch);
    if (batch.messages.length > 0) this.arrival.notify();
    this.backpressure.queued(q.topic, q.partition, q.messages.length, added);
  }

  private batchProcessed(report: FetchedBatchReport): void {
    const q = this.queueByTp.get(`${report.topic}:${report.partition}`);
    if (q !== undefined && this.claimed !== null && skipFilteredBatch(q, report)) this.arrival.notify();
  }

  /** One transaction: routes records in produced order across all partitions. False if idle. */
  private async step({ producer, queues, releaseQueues, targets }: RouterClaim): Promise<boolean> {
    const available = queues.map((q) => q.messages.length);
    const releasesAvailable = releaseQueues.map((q) => q.messages.length);
    if (available.every((n) => n === 0) && releasesAvailable.every((n) => n === 0)) return false;
    const releasesNext = releaseQueues.map((q) => q.next);
    const nextAtSnapshot = queues.map((q) => q.next);
    let taken = takeInProducedOrder(queues, available, nextAtSnapshot, this.options.maxStepRecords);
    // As in the decision tasks: a queue read dry is only "read to its end" against a fresh end offset.
    const drained = readDry(queues, taken, available, nextAtSnapshot) as RouterQueue[];
    if (drained.length > 0) {
      await refreshEnds(
        this.admin,
        drained.map((queue) => ({ queue, partition: queue.partition })),
      );
      taken = takeInProducedOrder(queues, available, nextAtSnapshot, this.options.maxStepRecords);
    }
    if (taken.length === 0 && releasesAvailable.every((n) => n === 0)) return false;
    const started = performance.now();

    const records: OutputRecord[] = [];
    // Releases first, against the table as the last step left it; the tombstones of dropped keys
    // then precede any entry a link in this step writes for them again.
    let dropped = 0;
    releaseQueues.forEach((q, i) => {
      for (const m of q.messages.slice(0, releasesAvailable[i])) {
        const release = parseRelease(m.key, m.value);
        if (release === null) continue;
        for (const key of this.releases.released([release.key], release.position, release.partition)) {
          records.push({ topic: targets.homes, key, value: null, partition: targets.partitionOf(key) });
          dropped++;
        }
      }
    });
    const sequenceBefore = this.sequence.last;
    const sequence = { last: sequenceBefore, position: this.sequence.position };
    // Routing changes the table; a failed step must not leave those changes behind (the claim
    // after a failure restores the table from the changelog).
    const engineDeadLetters: { at: RecordAt; verdict: RecordVerdict }[] = [];
    for (const { queue, message } of taken) {
      const q = queue as RouterQueue;
      const input = { topic: q.topic, partition: q.partition, message };
      const verdict = routeGuarded(
        { ...this.options, homes: this.homes, failures: this.failures, tracker: this.releases },
        input,
        targets,
        sequence,
        records,
      );
      if (verdict !== undefined)
        engineDeadLetters.push({
          at: { topic: q.topic, partition: q.partition, offset: message.offset },
          verdict,
        });
    }
    // The release log's changes of this step (releases on record, logged homes' positions).
    for (const r of releaseLogRecords(targets.homes, this.releases.takeChanges(), targets.partitionOf))
      records.push(r);
    if (sequence.last !== sequenceBefore || sequence.position !== this.sequence.position)
      records.push({ topic: targets.homes, key: SEQUENCE_KEY, value: sequenceValue(sequence), partition: 0 });
    const counts = new Map<RouterQueue, number>();
    for (const t of taken) counts.set(t.queue as RouterQueue, (counts.get(t.queue as RouterQueue) ?? 0) + 1);
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const [q, n] of counts) {
      const i = queues.indexOf(q);
      const through = offsetThrough(q, n, available[i] as number, nextAtSnapshot[i] as bigint);
      let list = byTopic.get(q.topic);
      if (!list) byTopic.set(q.topic, (list = []));
      list.push({ partition: q.partition, offset: through.toString() });
    }
    releaseQueues.forEach((q, i) => {
      const n = releasesAvailable[i] as number;
      if (n === 0) return;
      const through = offsetThrough(q, n, n, releasesNext[i] as bigint);
      let list = byTopic.get(q.topic);
      if (!list) byTopic.set(q.topic, (list = []));
      list.push({ partition: q.partition, offset: through.toString() });
    });
    const offsets: TopicOffsets[] = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    await commitStep(producer, this.options.groupId, records, offsets);
    this.sequence = sequence;
    for (const { at, verdict } of engineDeadLetters) {
      this.failures.settled(at);
      this.options.observer?.recordDeadLettered?.({ stage: 'router', ...at, code: verdict.code });
    }
    if (this.failures.size > 0)
      for (const { queue, message } of taken)
        this.failures.settled({
          topic: queue.topic,
          partition: (queue as RouterQueue).partition,
          offset: message.offset,
        });
    for (const [q, n] of counts) {
      const removed = queuedBytes(q.messages.splice(0, n));
      this.backpressure.taken(q.topic, q.partition, q.messages.length, removed);
    }
    releaseQueues.forEach((q, i) => {
      const removed = queuedBytes(q.messages.splice(0, releasesAvailable[i]));
      this.backpressure.taken(q.topic, q.partition, q.messages.length, removed);
    });
    if (this.options.observer?.routeStepCommitted) {
      const lag = new Map<string, Map<number, number>>();
      for (const q of queues) {
        let byPartition = lag.get(q.topic);
        if (!byPartition) lag.set(q.topic, (byPartition = new Map()));
        byPartition.set(q.partition, Number(q.end - q.next) + q.messages.length);
      }
      const table = this.homes.size();
      this.options.observer.routeStepCommitted({
        records: taken.length,
        handovers: sequence.last - sequenceBefore,
        releases: releasesAvailable.reduce((a, b) => a + b, 0),
        droppedKeys: dropped,
        tableKeys: table.keys,
        tableGroups: table.groups,
        durationMs: performance.now() - started,
        lag,
      });
    }
    return true;
  }
}
