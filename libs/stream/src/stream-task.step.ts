import { type Admin, type TopicOffsets } from 'kafkajs';
import { type OutputRecord } from '@app/kafka';
import { countContributions } from './aggregate-counting';
import { type ClaimLease } from './claim-loop';
import { type EngineTopics } from './engine-topics';
import { emptyTally } from './governed-output.mapper';
import { type HandoverInbox } from './handover-inbox';
import { type Backpressure, queuedBytes } from './input-backpressure';
import { takeInProducedOrder } from './input-merge';
import { offsetThrough, readDry, refreshEnds } from './input-queues';
import { releaseRecord, sweptReleases } from './identity-release.record';
import {
  type HandoverMarker,
  type HandoverStates,
  originOf,
  routedKind,
  routePositionOf,
} from './routed-record';
import { type ChangedState, changelogRecords, oversizedState } from './step-changelog';
import { commitStep } from './step-transaction';
import { OutputTooLargeError, type RecordAt, type RecordVerdict } from './record-failures';
import { oversizedReason } from './output-size';
import {
  decideRecord,
  type RecordDecisionContext,
  reportDeadLettered,
  type TaskInput,
} from './record-decision';
import { type StreamTask } from './stream-task';
import { type Wakeup } from './wakeup';

/** How long a step may wait at an import marker for its states before committing what it has. */
const HANDOVER_WAIT_MS = 250;
const HANDOVER_POLL_MS = 5;
/** Most handovers kept in memory for importing tasks on this instance (see `exportedHere`). */
const MAX_EXPORTED_HERE = 10_000;

/** What the tasks of one claim share while they step. */
export interface TaskStepContext extends RecordDecisionContext {
  readonly groupId: string;
  readonly topics: EngineTopics;
  /** With identity routing: the handover topic tasks pass consent state through. */
  readonly handover: string | null;
  /**
   * With identity routing: the topic where a task tells the router which keys its sweep forgot
   * (see `IdentityRelease`), so the router can shrink its table.
   */
  readonly releases: string | null;
  readonly maxStepRecords: number;
  readonly admin: Pick<Admin, 'fetchTopicOffsets'>;
  readonly backpressure: Backpressure;
  /** Notified whenever input (or a handover) arrives; a blocked import waits on it. */
  readonly arrival: Wakeup;
  readonly lease: ClaimLease;
  /**
   * Handovers exported by this instance's tasks, by id, so an importing task on the same instance
   * need not wait for the round trip through the handover topic. Safe before the exporting step
   * commits: a task's processing is deterministic from its committed state and its routed input,
   * so a replay after an abort exports the same states (and the topic copy is dropped as stale).
   * Bounded: an import on another instance never takes its entry.
   */
  readonly exportedHere: Map<number, HandoverStates>;
}

/** One transaction: takes records in produced order, decides them, commits. False if idle. */
export async function stepTask(ctx: TaskStepContext, task: StreamTask): Promise<boolean> {
  const available = task.queues.map((q) => q.messages.length);
  const pending = task.pending.length > 0 || (task.counting?.inbox.size ?? 0) > 0;
  if (available.every((n) => n === 0) && !pending) return false;
  const nextAtSnapshot = task.queues.map((q) => q.next);
  const started = performance.now();
  // End offsets come from the fetch responses (high watermarks). They only matter where the merge
  // ran a queue dry and took it for read to the end: only then is a fresh lookup worth its round
  // trip, and the merge is redone against it (the merge is pure; nothing was consumed yet).
  let taken = takeInProducedOrder(task.queues, available, nextAtSnapshot, ctx.maxStepRecords);
  const drained = readDry(task.queues, taken, available, nextAtSnapshot);
  // A single input (identity routing) has nothing to merge with: no end offsets needed.
  if (taken.length > 0 && drained.length > 0 && task.queues.length > 1) {
    await refreshEnds(
      ctx.admin,
      drained.map((queue) => ({ queue, partition: task.partition })),
    );
    taken = takeInProducedOrder(task.queues, available, nextAtSnapshot, ctx.maxStepRecords);
  }
  if (taken.length === 0 && !pending) return false;

  const { topics } = ctx;
  const tally = emptyTally();
  const records: OutputRecord[] = [];
  // Subject key → its state as of the step's last record (serialised once, when the step ends).
  const changed = new Map<string, ChangedState>();
  const verdicts: { origin: TaskInput['origin']; verdict: RecordVerdict }[] = [];
  const settled: RecordAt[] = [];
  const recordsIn = new Map<string, number>();
  // With routing: key → route position of the record whose sweep forgot it last in this step.
  const swept = new Map<string, number>();
  let used = 0;
  for (const { queue, message } of taken) {
    const kind = task.inbox === null ? 'event' : routedKind(message.headers);
    if (kind !== 'event') {
      // An import marker whose states have not arrived: wait for them inside the step for a
      // while (the exporting task is usually just behind; ending the step at every link made
      // tiny transactions the engine's main cost), then end the step; the next resumes here.
      let done = handOver(ctx, task, kind, message.value, changed, records);
      while (!done && performance.now() - started < HANDOVER_WAIT_MS && ctx.lease.valid) {
        await ctx.arrival.wait(HANDOVER_POLL_MS);
        done = handOver(ctx, task, kind, message.value, changed, records);
      }
      if (!done) break;
      used++;
      continue;
    }
    const origin = originOf(message, { topic: queue.topic, partition: task.partition });
    const read = { topic: queue.topic, partition: task.partition, offset: message.offset };
    const decided = decideRecord(ctx, task.processor, { read, origin }, tally);
    if (task.inbox !== null && decided.expired.length > 0) {
      const position = routePositionOf(message.headers);
      // A routed record without a position (written before positions existed) releases nothing.
      for (const key of decided.expired)
        if (position === undefined) swept.delete(key);
        else swept.set(key, position);
    }
    records.push(...decided.records);
    for (const [key, state] of decided.states) changed.set(key, { state, by: read });
    if (decided.verdict !== undefined) verdicts.push({ origin, verdict: decided.verdict });
    settled.push(read);
    recordsIn.set(origin.topic, (recordsIn.get(origin.topic) ?? 0) + 1);
    used++;
  }
  // R23's counts: the contributions read so far, counted in this transaction with their offset.
  const counting = task.counting;
  const toCount = counting?.inbox.peek(ctx.maxStepRecords) ?? [];
  if (used === 0 && task.pending.length === 0 && toCount.length === 0) return false;
  for (const p of task.pending) records.push(p.record);
  taken = taken.slice(0, used);
  // Serialised once per key at the end of the step: the state as of the step's last record.
  const changelog = changelogRecords(topics.changelog, task.partition, changed);
  const oversized = oversizedState(changelog, changed, ctx.maxRecordBytes);
  if (oversized !== undefined) {
    const { over, by } = oversized;
    ctx.failures.skip(by, { code: 'output-too-large', reason: oversizedReason(over, ctx.maxRecordBytes) });
    ctx.observer?.recordFailed?.({ stage: 'tasks', ...by, error: 'OutputTooLargeError', attempt: 1 });
    throw new OutputTooLargeError();
  }
  for (const r of changelog) records.push(r);
  // In the same transaction as the tombstones: the router learns of each forgotten key exactly once.
  if (ctx.releases !== null)
    for (const release of sweptReleases(swept, changed, task.partition))
      records.push(releaseRecord(ctx.releases, release, ctx.place(ctx.releases, release.key)));
  const counts = task.queues.map(() => 0);
  for (const t of taken) counts[t.queue.rank] = (counts[t.queue.rank] as number) + 1;
  const offsets: TopicOffsets[] = task.queues.flatMap((q, i) => {
    const n = counts[i] as number;
    if (n === 0) return [];
    const through = offsetThrough(q, n, available[i] as number, nextAtSnapshot[i] as bigint);
    return [{ topic: q.topic, partitions: [{ partition: task.partition, offset: through.toString() }] }];
  });
  if (counting !== null && toCount.length > 0) {
    for (const r of countContributions(counting.counter, toCount, topics, task.partition, ctx.place, tally))
      records.push(r);
    const offset = (BigInt((toCount[toCount.length - 1] as { offset: string }).offset) + 1n).toString();
    offsets.push({
      topic: (topics.counting as NonNullable<EngineTopics['counting']>).contributions,
      partitions: [{ partition: task.partition, offset }],
    });
  }
  if (task.inbox !== null && ctx.handover !== null) {
    const offset = task.inbox.committable().toString();
    offsets.push({ topic: ctx.handover, partitions: [{ partition: task.partition, offset }] });
  }

  await commitStep(task.producer, ctx.groupId, records, offsets);
  for (const at of settled) ctx.failures.settled(at);
  for (const p of task.pending.splice(0)) p.committed();
  counting?.inbox.counted(toCount.length);
  for (const v of verdicts) reportDeadLettered(ctx.observer, 'tasks', v.origin, v.verdict);

  task.queues.forEach((q, i) => {
    const removed = queuedBytes(q.messages.splice(0, counts[i] as number));
    ctx.backpressure.taken(q.topic, task.partition, q.messages.length, removed);
  });
  const lag = new Map(task.queues.map((q) => [q.topic, Number(q.end - q.next) + q.messages.length]));
  ctx.observer?.stepCommitted?.({
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
function handOver(
  ctx: TaskStepContext,
  task: StreamTask,
  kind: 'export' | 'import',
  value: Buffer | null,
  changed: Map<string, ChangedState>,
  records: OutputRecord[],
): boolean {
  const marker = JSON.parse(value?.toString('utf8') ?? 'null') as HandoverMarker;
  const { processor } = task;
  if (kind === 'export') {
    const states = marker.keys.map((key): [string, unknown] => {
      const state = processor.exportState(key);
      processor.importState(key, null);
      changed.set(key, { state: null, by: null });
      return [key, state];
    });
    const handover = ctx.handover as string;
    const out: HandoverStates = { id: marker.id, states };
    ctx.exportedHere.set(marker.id, out);
    if (ctx.exportedHere.size > MAX_EXPORTED_HERE)
      ctx.exportedHere.delete(ctx.exportedHere.keys().next().value as number);
    ctx.arrival.notify();
    records.push({
      topic: handover,
      key: marker.to,
      value: JSON.stringify(out),
      partition: ctx.place(handover, marker.to),
    });
    return true;
  }
  const inbox = task.inbox as HandoverInbox;
  let arrived = inbox.take(marker.id);
  const local = ctx.exportedHere.get(marker.id);
  if (arrived === null && local !== undefined) {
    inbox.taken(marker.id);
    arrived = local;
  }
  ctx.exportedHere.delete(marker.id);
  if (arrived === null) return false;
  for (const [key, state] of arrived.states) {
    processor.importState(key, state);
    const imported = processor.exportState(key);
    changed.set(key, { state: imported === null ? null : JSON.stringify(imported), by: null });
  }
  return true;
}
