import { type ClaimLoopObserver } from './claim-loop';
import { type OutcomeTally } from './governed-output.mapper';

/** Which loop of the engine an event is about: the decision tasks, or the identity router. */
export type StreamStage = 'tasks' | 'router';

/** Figures per committed decision step, for metrics and logs (names and counts only). */
export interface StepCommitted {
  readonly partition: number;
  readonly recordsIn: Map<string, number>;
  readonly recordsOut: number;
  readonly durationMs: number;
  readonly tally: OutcomeTally;
  /** Input topic → records behind the end offset after this step. */
  readonly lag: Map<string, number>;
}

/** Figures of one committed routing step (names and counts only). */
export interface RouteStepCommitted {
  readonly records: number;
  /** Links whose alias's state moves to another task (one export and one import marker each). */
  readonly handovers: number;
  /** Releases read from the decision tasks (keys whose state a task forgot). */
  readonly releases: number;
  /** Table entries dropped by those releases (tombstones written to the homes changelog). */
  readonly droppedKeys: number;
  /** The table after the step: keys homed elsewhere than at themselves, and the homes they join. */
  readonly tableKeys: number;
  readonly tableGroups: number;
  readonly durationMs: number;
  /** Raw input topic → partition → records behind its end offset after this step. */
  readonly lag: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/** This instance claimed decision tasks: fenced, offsets read, consent state restored. */
export interface TasksClaimed {
  readonly partitions: readonly number[];
  readonly restoredSubjects: number;
}

/** This instance claimed the raw inputs for routing and restored the identity homes. */
export interface RouterClaimed {
  /** Raw input partitions claimed. */
  readonly partitions: number;
  /** Home table entries restored (keys homed elsewhere than at themselves). */
  readonly aliases: number;
  /** Home groups restored (homes those keys join). */
  readonly groups: number;
}

/** A step aborted (or may not have committed): its loop claims afresh. */
export interface StepFailed {
  readonly stage: StreamStage;
  /** The task's partition; -1 for the router. */
  readonly partition: number;
  /** Error name and kafkajs type, never the message (messages may quote input). */
  readonly error: string;
}

/** A claim failed: nothing of it is stepped, and it is retried after `retryInMs`. */
export interface ClaimFailed {
  readonly stage: StreamStage;
  readonly error: string;
  /** Failed claims in a row, this one included. */
  readonly attempt: number;
  readonly retryInMs: number;
}

/**
 * The consumer crashed and left the group. `restart`: kafkajs rejoins by itself, and the next join
 * brings a fresh claim; otherwise the loop stays down (not ready) until the engine is restarted.
 */
export interface ConsumerCrashed {
  readonly stage: StreamStage;
  readonly error: string;
  readonly restart: boolean;
}

/**
 * A record made its step fail: the core (or serialising its result) threw, or an output would be too
 * large. The step aborts and is retried after a fresh claim. Coordinates only, never values.
 */
export interface RecordFailed {
  readonly stage: StreamStage;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Error name, never the message. */
  readonly error: string;
  /** Failed attempts on this record so far. */
  readonly attempt: number;
}

/**
 * The engine itself dead-lettered a record (committed): the core kept failing on it
 * (`internal-error`), its outputs do not fit (`output-too-large`), or a subject's state could not
 * be restored (`corrupt-state`, for the changelog record and for inputs of that subject).
 */
export interface RecordDeadLettered {
  readonly stage: StreamStage;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly code: string;
}

/**
 * A changelog record could not be restored (not JSON, or not a valid subject state): its subject is
 * quarantined (nothing decided for it) until a valid state or a tombstone replaces the record.
 */
export interface StateCorrupt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Error name, never the message. */
  readonly error: string;
}

/**
 * What the governed stream tells its host as it runs: claims, committed steps and failures. The
 * engine's metrics are one such observer; a host adds its own for logs or its own bookkeeping.
 * Called on the engine's path (a step's figures right after its commit), so implementations must be
 * quick and must not throw: a throw after a commit is taken for a failed step and costs a re-claim.
 */
export interface GovernedStreamObserver {
  tasksClaimed?(event: TasksClaimed): void;
  routerClaimed?(event: RouterClaimed): void;
  stepCommitted?(event: StepCommitted): void;
  routeStepCommitted?(event: RouteStepCommitted): void;
  stepFailed?(event: StepFailed): void;
  claimFailed?(event: ClaimFailed): void;
  consumerCrashed?(event: ConsumerCrashed): void;
  recordFailed?(event: RecordFailed): void;
  recordDeadLettered?(event: RecordDeadLettered): void;
  stateCorrupt?(event: StateCorrupt): void;
}

/** One observer that tells each of `observers`, in order. */
export function allOf(observers: readonly GovernedStreamObserver[]): GovernedStreamObserver {
  return {
    tasksClaimed: (e) => observers.forEach((o) => o.tasksClaimed?.(e)),
    routerClaimed: (e) => observers.forEach((o) => o.routerClaimed?.(e)),
    stepCommitted: (e) => observers.forEach((o) => o.stepCommitted?.(e)),
    routeStepCommitted: (e) => observers.forEach((o) => o.routeStepCommitted?.(e)),
    stepFailed: (e) => observers.forEach((o) => o.stepFailed?.(e)),
    claimFailed: (e) => observers.forEach((o) => o.claimFailed?.(e)),
    consumerCrashed: (e) => observers.forEach((o) => o.consumerCrashed?.(e)),
    recordFailed: (e) => observers.forEach((o) => o.recordFailed?.(e)),
    recordDeadLettered: (e) => observers.forEach((o) => o.recordDeadLettered?.(e)),
    stateCorrupt: (e) => observers.forEach((o) => o.stateCorrupt?.(e)),
  };
}

/** The claim loop's reports of one stage, as the engine's observer events. */
export function loopReportsOf(
  stage: StreamStage,
  observer: GovernedStreamObserver | undefined,
): ClaimLoopObserver {
  return {
    claimFailed: (e) => observer?.claimFailed?.({ stage, ...e }),
    stepFailed: (e) => observer?.stepFailed?.({ stage, partition: e.unit, error: e.error }),
    consumerCrashed: (e) => observer?.consumerCrashed?.({ stage, ...e }),
  };
}
