import { type GovernedStreamObserver } from '@app/stream';

/** Decision steps of one bench phase: how many, how large, how long (where latency comes from). */
export interface StepFigures {
  readonly steps: number;
  /** With identity routing: the router's steps (one unit over every partition). */
  readonly routerSteps: number;
  readonly recordsPerRouterStep: number;
  readonly recordsPerStep: number;
  readonly stepP50Ms: number;
  readonly stepP99Ms: number;
}

/** Collects the committed decision steps; `take` returns a phase's figures and starts the next. */
export class StepStats {
  private durations: number[] = [];
  private records = 0;
  private routerSteps = 0;
  private routerRecords = 0;

  readonly observer: GovernedStreamObserver = {
    stepCommitted: (e) => {
      this.durations.push(e.durationMs);
      for (const n of e.recordsIn.values()) this.records += n;
    },
    routeStepCommitted: (e) => {
      this.routerSteps++;
      this.routerRecords += e.records;
    },
  };

  take(): StepFigures {
    const d = this.durations.sort((a, b) => a - b);
    const at = (q: number): number => d[Math.min(d.length - 1, Math.floor(q * d.length))] ?? NaN;
    const figures = {
      steps: d.length,
      recordsPerStep: d.length === 0 ? 0 : this.records / d.length,
      routerSteps: this.routerSteps,
      recordsPerRouterStep: this.routerSteps === 0 ? 0 : this.routerRecords / this.routerSteps,
      stepP50Ms: at(0.5),
      stepP99Ms: at(0.99),
    };
    this.durations = [];
    this.records = 0;
    this.routerSteps = 0;
    this.routerRecords = 0;
    return figures;
  }
}
