import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several apps in one test process
 * must not share one). Labels are route patterns, methods, status codes and endpoint names from
 * the code: never a path parameter, header or body value.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'HTTP requests by route pattern, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly produceSeconds = new Histogram({
    name: 'gateway_produce_duration_seconds',
    help: 'From send to the broker acknowledgement (or failure), by endpoint and outcome',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly records = new Counter({
    name: 'gateway_records_produced_total',
    help: 'Records the broker acknowledged, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'gateway_refusals_total',
    help: 'Refused requests by endpoint and refusal code',
    labelNames: ['endpoint', 'code'] as const,
    registers: [this.registry],
  });
}
