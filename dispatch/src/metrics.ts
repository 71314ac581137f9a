/**
 * Prometheus metrics of the push dispatcher (docs/metrics.md, prefix `iothub_dispatch_`). Label
 * values are bounded: `endpoint` is a push path without the slash (`pushgps`, …), `offline` (the
 * offline-command URL) or `events` (JSON profile); `outcome` and `reason` are fixed lists / error codes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface DispatchMetrics {
  recordsTotal: Counter<'endpoint' | 'outcome'>;
  requestsTotal: Counter<'endpoint' | 'outcome'>;
  requestSeconds: Histogram<'endpoint'>;
  retriesTotal: Counter<'endpoint'>;
  deadLettersTotal: Counter<'reason'>;
  skippedTotal: Counter<'kind'>;
  lagSeconds: Gauge;
  pendingRecords: Gauge;
  breakerState: Gauge<'target'>;
}

export const REQUEST_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export function createDispatchMetrics(registry: Registry): DispatchMetrics {
  const registers = [registry];
  return {
    recordsTotal: new Counter({
      name: 'iothub_dispatch_records_total',
      help: 'Records handled, by endpoint and outcome (delivered, dead-lettered)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    }),
    requestsTotal: new Counter({
      name: 'iothub_dispatch_requests_total',
      help: 'Push requests, by endpoint and outcome (ok or the failure code)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'iothub_dispatch_request_seconds',
      help: 'Duration of one push request',
      labelNames: ['endpoint'],
      buckets: [...REQUEST_BUCKETS],
      registers,
    }),
    retriesTotal: new Counter({
      name: 'iothub_dispatch_retries_total',
      help: 'Push requests scheduled again after a failure',
      labelNames: ['endpoint'],
      registers,
    }),
    deadLettersTotal: new Counter({
      name: 'iothub_dispatch_dead_letters_total',
      help: 'Records written to the dead-letter topic, by reason code',
      labelNames: ['reason'],
      registers,
    }),
    skippedTotal: new Counter({
      name: 'iothub_dispatch_skipped_total',
      help: 'Events not pushed because the profile has no endpoint for them, by event kind',
      labelNames: ['kind'],
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'iothub_dispatch_lag_seconds',
      help: 'Age of the last delivered record (now minus its receivedAt) when it was delivered',
      registers,
    }),
    pendingRecords: new Gauge({
      name: 'iothub_dispatch_pending_records',
      help: 'Records taken from the bus and not yet delivered or dead-lettered',
      registers,
    }),
    breakerState: new Gauge({
      name: 'iothub_dispatch_breaker_state',
      help: 'Circuit breaker per destination (push, offline): 0 closed, 1 open, 2 half-open',
      labelNames: ['target'],
      registers,
    }),
  };
}
