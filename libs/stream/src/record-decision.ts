import { type IHeaders, type KafkaMessage } from 'kafkajs';
import { isBinaryModeCloudEvent, type HeaderValue } from '@app/contracts';
import { buildDeadLetter, type OutputRecord } from '@app/kafka';
import { type ProcessResult } from '@app/policy';
import { contributionRecords } from './aggregate-counting';
import { errorName } from './claim-loop';
import { type DecisionCore } from './decision-core';
import { type EngineTopics } from './engine-topics';
import { type OutcomeTally, toOutputRecords } from './governed-output.mapper';
import { firstOversized, oversizedReason } from './output-size';
import {
  OutputTooLargeError,
  type RecordAt,
  type RecordFailures,
  type RecordVerdict,
} from './record-failures';
import { type GovernedStreamObserver, type StreamStage } from './stream-observer';

/** What deciding one record needs besides the record: where outputs go, bounds and bookkeeping. */
export interface RecordDecisionContext {
  readonly topics: EngineTopics;
  readonly failures: RecordFailures;
  /** Largest record the engine writes (key and headers included). */
  readonly maxRecordBytes: number;
  readonly place: (topic: string, key: string) => number | undefined;
  readonly observer?: GovernedStreamObserver;
}

/** One input as a task decides it: where it was read, and the original it stands for. */
export interface TaskInput {
  /** Where the task read it (with identity routing: the routed copy). Failures are counted here. */
  readonly read: RecordAt;
  /** The original input (topic, partition, message with its offset and headers) for dead letters. */
  readonly origin: { readonly topic: string; readonly partition: number; readonly message: KafkaMessage };
}

/** What one decided input adds to its step. */
export interface DecidedRecord {
  /** Destination, lineage and dead-letter records. */
  readonly records: OutputRecord[];
  /**
   * Changed subject states as the core holds them (not serialised: the step writes each key's
   * state once, as of its last record; see `changelogRecords`); null: expired, a tombstone.
   */
  readonly states: ReadonlyArray<readonly [string, object | null]>;
  /** Subjects the core's sweep forgot at this input (their tombstones are in `states`). */
  readonly expired: readonly string[];
  /** Set when the engine dead-lettered the input itself (already in `records`). */
  readonly verdict?: RecordVerdict;
}

/** The engine's own dead letter for an input: original bytes and headers, source coordinates. */
export function engineDeadLetter(
  deadLetterTopic: string,
  origin: TaskInput['origin'],
  verdict: RecordVerdict,
): OutputRecord {
  return buildDeadLetter({
    deadLetterTopic,
    sourceTopic: origin.topic,
    sourcePartition: origin.partition,
    message: origin.message,
    code: verdict.code,
    reason: verdict.reason,
  });
}

/**
 * Decides one input event with the task's core. Never half-applies it: when the core or the
 * serialisation of its result throws, or an output would be larger than the broker accepts, the
 * failure is counted for the record and the error thrown, so the step aborts and the task's state
 * comes back from the changelog; once the record's budget is spent, the next attempt dead-letters
 * it here without calling the core. Events of a quarantined subject (its stored state is corrupt)
 * are dead-lettered by the core itself (`corrupt-state`), never decided on missing state.
 */
export function decideRecord(
  ctx: RecordDecisionContext,
  core: DecisionCore,
  input: TaskInput,
  tally: OutcomeTally,
): DecidedRecord {
  const { topics } = ctx;
  const known = ctx.failures.verdict(input.read);
  if (known !== undefined)
    return {
      records: [engineDeadLetter(topics.deadLetter, input.origin, known)],
      states: [],
      expired: [],
      verdict: known,
    };
  const { origin } = input;
  const at = { topic: origin.topic, partition: origin.partition, offset: origin.message.offset };
  const records: OutputRecord[] = [];
  let result: ProcessResult;
  let states: [string, object | null][];
  let expired: readonly string[];
  try {
    // The core checks the event against the policy's declaration of the topic it was read from.
    const read = { ...at, topic: topics.policyTopicOf.get(origin.topic) ?? origin.topic };
    result = decide(core, origin.message.headers ?? {}, origin.message.value, read);
    toOutputRecords(result, origin, topics, tally, records, ctx.place);
    for (const r of contributionRecords(result, input.read, topics, ctx.place)) records.push(r);
    states = result.stateChanges.map((c) => [c.subjectKey, c.state]);
    // After the changes: a subject changed by this event and then swept ends as a tombstone.
    expired = result.expiredSubjects ?? [];
    for (const key of expired) states.push([key, null]);
  } catch (error) {
    const name = errorName(error);
    const attempt = ctx.failures.failed(input.read, name);
    ctx.observer?.recordFailed?.({ stage: 'tasks', ...at, error: name, attempt });
    throw error;
  }
  const over = firstOversized(records, ctx.maxRecordBytes);
  if (over !== undefined) {
    ctx.failures.skip(input.read, {
      code: 'output-too-large',
      reason: oversizedReason(over, ctx.maxRecordBytes),
    });
    ctx.observer?.recordFailed?.({ stage: 'tasks', ...at, error: 'OutputTooLargeError', attempt: 1 });
    throw new OutputTooLargeError();
  }
  return { records, states, expired };
}

/** Reports a record the engine dead-lettered, once its step committed. */
export function reportDeadLettered(
  observer: GovernedStreamObserver | undefined,
  stage: StreamStage,
  origin: TaskInput['origin'],
  verdict: RecordVerdict,
): void {
  observer?.recordDeadLettered?.({
    stage,
    topic: origin.topic,
    partition: origin.partition,
    offset: origin.message.offset,
    code: verdict.code,
  });
}

function decide(
  core: DecisionCore,
  headers: IHeaders,
  value: Buffer | null,
  at: { topic: string; partition: number; offset: string },
): ProcessResult {
  const h = headers as Readonly<Record<string, HeaderValue>>;
  if (isBinaryModeCloudEvent(h)) return core.processBinary(h, value, at);
  return core.process(value ?? new Uint8Array(0), at);
}
