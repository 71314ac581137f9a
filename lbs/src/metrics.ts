/** LBS metrics (docs/metrics.md "LBS"), created once per registry. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface LbsMetrics {
  /** `iothub_lbs_queries_total{code}`: answers by API code (0, 100, 101, 102, 200, 300, 400). */
  queries: Counter<'code'>;
  /** `iothub_lbs_resolve_seconds{source}`: resolution time by where the answer came from. */
  resolveSeconds: Histogram<'source'>;
  /** `iothub_lbs_observations_total{kind,result}`: cells / access points looked up, `known` or `unknown`. */
  observations: Counter<'kind' | 'result'>;
  /** `iothub_lbs_cache_total{layer,result}`: memory / redis cache hits and misses, redis errors. */
  cache: Counter<'layer' | 'result'>;
  /** `iothub_lbs_upstream_total{result}`: upstream provider calls: found, not-found, error. */
  upstream: Counter<'result'>;
}

const shared = new WeakMap<Registry, LbsMetrics>();

export function lbsMetrics(registry: Registry): LbsMetrics {
  const existing = shared.get(registry);
  if (existing) return existing;
  const m: LbsMetrics = {
    queries: new Counter({
      name: 'iothub_lbs_queries_total',
      help: 'LBS answers by API code',
      labelNames: ['code'],
      registers: [registry],
    }),
    resolveSeconds: new Histogram({
      name: 'iothub_lbs_resolve_seconds',
      help: 'LBS resolution time by source (memory, redis, local, upstream)',
      labelNames: ['source'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 2.5],
      registers: [registry],
    }),
    observations: new Counter({
      name: 'iothub_lbs_observations_total',
      help: 'Cells and WiFi access points looked up in the store, known or unknown',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    cache: new Counter({
      name: 'iothub_lbs_cache_total',
      help: 'LBS result cache lookups by layer and result',
      labelNames: ['layer', 'result'],
      registers: [registry],
    }),
    upstream: new Counter({
      name: 'iothub_lbs_upstream_total',
      help: 'Upstream provider calls by result',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
  shared.set(registry, m);
  return m;
}
