import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of the lineage sink. Labels come from closed sets (stored kinds, unreadable
 * codes), never from record content.
 */
export class SinkMetrics {
  readonly registry = new Registry();
  readonly stored = new Counter({
    name: 'audit_sink_records_stored_total',
    help: 'Lineage records stored (first time), by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly replayed = new Counter({
    name: 'audit_sink_records_replayed_total',
    help: 'Lineage records read again and found stored already (replays after a restart)',
    registers: [this.registry],
  });
  readonly unreadable = new Counter({
    name: 'audit_sink_unreadable_total',
    help: 'Records of the lineage topic read that are not storable lineage (kept only as coordinates), by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly policyVersions = new Counter({
    name: 'audit_sink_policy_versions_stored_total',
    help: 'Policy versions stored',
    registers: [this.registry],
  });
  readonly unusablePolicyVersions = new Counter({
    name: 'audit_sink_policy_versions_unusable_total',
    help: 'Records of the policy-versions topic without a version key or text (not stored)',
    registers: [this.registry],
  });
  readonly unrenderable = new Counter({
    name: 'audit_sink_decisions_unrenderable_total',
    help: 'Decisions stored that do not render against their stored policy version',
    registers: [this.registry],
  });
  readonly pending = new Counter({
    name: 'audit_sink_decisions_pending_total',
    help: 'Decisions stored before their policy version (figures added when it arrives)',
    registers: [this.registry],
  });
  readonly batches = new Histogram({
    name: 'audit_sink_batch_seconds',
    help: 'Time to write one batch (one PostgreSQL transaction)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly retentionDays = new Gauge({
    name: 'audit_sink_retention_days',
    help: 'Days lineage is kept (the newest policy version, else the setting); -1: for ever',
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'audit_sink_write_failures_total',
    help: 'Failed attempts to write a batch or to read a stored offset (read again after a back-off)',
    registers: [this.registry],
  });
  readonly markerRefetches = new Counter({
    name: 'audit_sink_marker_refetches_total',
    help: 'Re-reads to see transaction markers that kafkajs skipped in a fetch of markers only',
    registers: [this.registry],
  });
  readonly assigned = new Gauge({
    name: 'audit_sink_assigned_partitions',
    help: 'Topic partitions this sink holds',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
