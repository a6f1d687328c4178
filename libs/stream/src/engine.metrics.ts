import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  type ClaimFailed,
  type GovernedStreamObserver,
  type RecordDeadLettered,
  type RecordFailed,
  type StateCorrupt,
  type RouteStepCommitted,
  type RouterClaimed,
  type StepCommitted,
  type StepFailed,
} from './stream-observer';

/**
 * Prometheus metrics of the governed stream. Labels are topic, destination, reason and error-code
 * names from the policy and the closed code sets: never subject keys or values.
 */
export class EngineMetrics implements GovernedStreamObserver {
  readonly registry = new Registry();
  private readonly eventsIn = new Counter({
    name: 'engine_events_in_total',
    help: 'Input records decided and committed, by input topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  private readonly forwarded = new Counter({
    name: 'engine_forwarded_total',
    help: 'Decisions that forwarded (or pseudonymised) a record to a destination',
    labelNames: ['destination'],
    registers: [this.registry],
  });
  private readonly withheld = new Counter({
    name: 'engine_withheld_attributes_total',
    help: 'Attributes withheld from a destination, by reason code',
    labelNames: ['destination', 'reason'],
    registers: [this.registry],
  });
  private readonly deadLettered = new Counter({
    name: 'engine_dead_lettered_total',
    help: 'Inputs sent to the dead-letter topic, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly suppressions = new Counter({
    name: 'engine_suppressions_total',
    help: 'Suppression records written after a withdrawal or objection',
    labelNames: ['destination'],
    registers: [this.registry],
  });
  private readonly aggregateFigures = new Counter({
    name: 'engine_aggregate_figures_total',
    help: 'Figures published on an aggregate topic (anonymous per-campaign counts, R23)',
    labelNames: ['aggregate'],
    registers: [this.registry],
  });
  private readonly stepSeconds = new Histogram({
    name: 'engine_batch_duration_seconds',
    help: 'Decide + transaction commit time of one step (batch)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'engine_consumer_lag',
    help: 'Records behind the end offset, per input topic and partition',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'engine_step_failures_total',
    help: 'Steps aborted and retried after a fresh claim, by error name',
    labelNames: ['error'],
    registers: [this.registry],
  });
  private readonly recordFailures = new Counter({
    name: 'engine_record_failures_total',
    help: 'Records whose decision (or routing) failed and made their step abort, by stage and error name',
    labelNames: ['stage', 'error'],
    registers: [this.registry],
  });
  private readonly corruptStates = new Counter({
    name: 'engine_corrupt_states_total',
    help: 'Changelog records that could not be restored (their subjects are quarantined), per claim',
    registers: [this.registry],
  });

  private readonly routed = new Counter({
    name: 'engine_routed_total',
    help: 'Input records routed by identity home (identity routing on)',
    registers: [this.registry],
  });
  private readonly handovers = new Counter({
    name: 'engine_handovers_total',
    help: 'Identity links that moved consent state between tasks (identity routing on)',
    registers: [this.registry],
  });
  private readonly routeSeconds = new Histogram({
    name: 'engine_route_duration_seconds',
    help: 'Route + transaction commit time of one routing step',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly tableKeys = new Gauge({
    name: 'engine_identity_homes_keys',
    help: 'Keys in the identity router table homed elsewhere than at themselves (identity routing on)',
    registers: [this.registry],
  });
  private readonly tableGroups = new Gauge({
    name: 'engine_identity_homes_groups',
    help: 'Home groups in the identity router table (identity routing on)',
    registers: [this.registry],
  });
  private readonly droppedKeys = new Counter({
    name: 'engine_identity_homes_dropped_total',
    help: 'Identity router table entries dropped after the decision tasks released every key of their group',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  stepCommitted(e: StepCommitted): void {
    for (const [topic, n] of e.recordsIn) this.eventsIn.inc({ topic }, n);
    for (const [destination, n] of e.tally.forwarded) this.forwarded.inc({ destination }, n);
    for (const [key, n] of e.tally.withheld) {
      const [destination, reason] = key.split('\u0000');
      this.withheld.inc({ destination, reason }, n);
    }
    for (const [code, n] of e.tally.deadLetters) this.deadLettered.inc({ code }, n);
    for (const [destination, n] of e.tally.suppressions) this.suppressions.inc({ destination }, n);
    for (const [aggregate, n] of e.tally.aggregateFigures) this.aggregateFigures.inc({ aggregate }, n);
    this.stepSeconds.observe(e.durationMs / 1000);
    for (const [topic, n] of e.lag) this.lag.set({ topic, partition: String(e.partition) }, n);
  }

  /**
   * A routing step committed. With identity routing the decision tasks read the routed topic, so
   * the raw inputs' lag (what operators watch) is the router's: reported under the same gauge.
   */
  routeStepCommitted(e: RouteStepCommitted): void {
    this.routed.inc(e.records);
    if (e.handovers > 0) this.handovers.inc(e.handovers);
    this.routeSeconds.observe(e.durationMs / 1000);
    if (e.droppedKeys > 0) this.droppedKeys.inc(e.droppedKeys);
    this.tableKeys.set(e.tableKeys);
    this.tableGroups.set(e.tableGroups);
    for (const [topic, partitions] of e.lag)
      for (const [partition, n] of partitions) this.lag.set({ topic, partition: String(partition) }, n);
  }

  /** The table as restored by the router's claim. */
  routerClaimed(e: RouterClaimed): void {
    this.tableKeys.set(e.aliases);
    this.tableGroups.set(e.groups);
  }

  stepFailed(e: StepFailed): void {
    this.failures.inc({ error: e.error });
  }

  recordFailed(e: RecordFailed): void {
    this.recordFailures.inc({ stage: e.stage, error: e.error });
  }

  stateCorrupt(_e: StateCorrupt): void {
    this.corruptStates.inc();
  }

  /** Dead letters the engine wrote itself (not the core): counted with the core's, by code. */
  recordDeadLettered(e: RecordDeadLettered): void {
    this.deadLettered.inc({ code: e.code });
  }

  /** A failed claim is retried as a failed step is: counted under the same metric, as it always was. */
  claimFailed(e: ClaimFailed): void {
    this.failures.inc({ error: e.error });
  }
}
