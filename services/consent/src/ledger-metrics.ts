import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LedgerConsumerObserver } from './ledger-consumer';

/** The consent service's Prometheus metrics. Labels: outcome, validity, partition, error name. */
export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly rows = new Counter({
    name: 'consent_ledger_rows_appended_total',
    help: 'Rows appended to the consent ledger, by outcome (assessed, refused) and validity',
    labelNames: ['outcome', 'valid'] as const,
    registers: [this.registry],
  });
  private readonly batches = new Counter({
    name: 'consent_ledger_batches_total',
    help: 'Database transactions that appended a consumed batch',
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'consent_ledger_append_failures_total',
    help: 'Batches whose append failed (retried), by error name',
    labelNames: ['error'] as const,
    registers: [this.registry],
  });
  private readonly seconds = new Histogram({
    name: 'consent_ledger_append_seconds',
    help: 'Time to assess and append one batch in its transaction',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'consent_ledger_lag',
    help: 'Offsets of the evidence topic not yet in the ledger, per partition (at scrape)',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly lastSeq = new Gauge({
    name: 'consent_ledger_last_seq',
    help: 'Sequence number of the last row this instance appended',
    registers: [this.registry],
  });

  readonly observer: LedgerConsumerObserver = {
    appended: (e) => {
      this.batches.inc();
      this.seconds.observe(e.seconds);
      if (e.outcome.lastSeq !== null) this.lastSeq.set(Number(e.outcome.lastSeq));
      if (e.appended === 0) return;
      // Only the rows written (a re-read batch's records already in the ledger are skipped).
      for (const input of e.inputs.slice(e.inputs.length - e.appended)) {
        const a = input.assessment;
        this.rows.inc({
          outcome: a.outcome,
          valid: a.outcome === 'assessed' ? String(a.facts.valid) : 'none',
        });
      }
    },
    appendFailed: (e) => this.failures.inc({ error: e.errorName }),
  };
}
