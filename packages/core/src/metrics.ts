/**
 * Prometheus metrics (`docs/metrics.md`). One prom-client `Registry` per service instance, never
 * the global default registry, so several gateways run in one test process and each `/metrics`
 * shows its own figures.
 *
 * Hot path: `metric.labels(a, b)` returns a child whose `inc()` / `observe()` skips the label
 * hashing; cache children per connection or per protocol instead of `inc({ … })` per frame.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DeviceProtocol, EventKind } from './events.ts';

export { Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Also collect the process metrics of prom-client (CPU, memory, event loop lag, GC, handles). */
  defaultMetrics?: boolean;
  /** Prefix of the default process metrics (default none: `process_cpu_seconds_total` …). */
  defaultMetricsPrefix?: string;
  /** Labels added to every series of this registry (e.g. `{ service: 'gateway' }`). */
  defaultLabels?: Record<string, string>;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics === true) {
    collectDefaultMetrics(
      options.defaultMetricsPrefix === undefined
        ? { register: registry }
        : { register: registry, prefix: options.defaultMetricsPrefix },
    );
  }
  return registry;
}

/** The limits whose crossing closes a connection (`limit` label of `limit_hits_total`). */
export const GATEWAY_LIMITS = [
  'idle-timeout', // READ_TIMEOUT_MS without a byte from the device
  'frame-size', // MAX_FRAME_BYTES
  'pending-outbound', // MAX_PENDING_OUTBOUND_BYTES
  'message-rate', // MAX_MESSAGES_PER_SECOND
  'max-connections', // MAX_CONNECTIONS (the new connection is refused)
] as const;
export type GatewayLimit = (typeof GATEWAY_LIMITS)[number];

/** Seconds: 0.5 ms … 10 s, dense around the 20 ms p99 target of durable acknowledgement. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface GatewayMetrics {
  /** Open device connections. */
  connections: Gauge<'protocol'>;
  /** Accepted device connections since start. */
  connectionsTotal: Counter<'protocol'>;
  /** Closed device connections by reason (`peer`, `idle-timeout`, `duplicate-login`, `limit`, `error`, `shutdown` …). */
  connectionsClosedTotal: Counter<'protocol' | 'reason'>;
  /** Frames received and decoded, by message id (`messageIdLabel`). */
  framesInTotal: Counter<'protocol' | 'message_id'>;
  /** Frames written to devices, by message id. */
  framesOutTotal: Counter<'protocol' | 'message_id'>;
  /** Framing / decoding problems by stable code (`IOTHUB_ERR_FRAME_CHECKSUM` …). */
  decodeErrorsTotal: Counter<'protocol' | 'code'>;
  /** From receipt of a data message to its acknowledgement written (includes the bus publish when durable). */
  ackLatencySeconds: Histogram<'protocol'>;
  /** Duration of one bus publish call, by outcome (`ok` | `error`). */
  busPublishSeconds: Histogram<'outcome'>;
  /** Limit crossings (each closes one connection or refuses one). */
  limitHitsTotal: Counter<'protocol' | 'limit'>;
  /** Events the bus accepted, by kind. */
  eventsPublishedTotal: Counter<'kind'>;
}

export interface GatewayMetricsOptions {
  /** Metric name prefix (default `iothub_gateway_`). */
  prefix?: string;
}

/**
 * Create the gateway metrics in `registry`. Stable names and labels (docs/metrics.md): dashboards
 * and alerts depend on them, so a change here is a breaking change.
 */
export function createGatewayMetrics(registry: Registry, options: GatewayMetricsOptions = {}): GatewayMetrics {
  const p = options.prefix ?? 'iothub_gateway_';
  const registers = [registry];
  return {
    connections: new Gauge({
      name: `${p}connections`,
      help: 'Open device connections',
      labelNames: ['protocol'],
      registers,
    }),
    // Not `${p}connections_total`: in OpenMetrics that counter's family name would be
    // `${p}connections`, the name of the gauge above.
    connectionsTotal: new Counter({
      name: `${p}connections_accepted_total`,
      help: 'Device connections accepted since start',
      labelNames: ['protocol'],
      registers,
    }),
    connectionsClosedTotal: new Counter({
      name: `${p}connections_closed_total`,
      help: 'Device connections closed, by reason',
      labelNames: ['protocol', 'reason'],
      registers,
    }),
    framesInTotal: new Counter({
      name: `${p}frames_in_total`,
      help: 'Frames received from devices, by message id',
      labelNames: ['protocol', 'message_id'],
      registers,
    }),
    framesOutTotal: new Counter({
      name: `${p}frames_out_total`,
      help: 'Frames written to devices, by message id',
      labelNames: ['protocol', 'message_id'],
      registers,
    }),
    decodeErrorsTotal: new Counter({
      name: `${p}decode_errors_total`,
      help: 'Framing and decoding problems, by stable error code',
      labelNames: ['protocol', 'code'],
      registers,
    }),
    ackLatencySeconds: new Histogram({
      name: `${p}ack_latency_seconds`,
      help: 'Time from receipt of a data message to its acknowledgement being written',
      labelNames: ['protocol'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    }),
    busPublishSeconds: new Histogram({
      name: `${p}bus_publish_seconds`,
      help: 'Duration of bus publish calls, by outcome',
      labelNames: ['outcome'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    }),
    limitHitsTotal: new Counter({
      name: `${p}limit_hits_total`,
      help: 'Limit crossings that closed or refused a connection, by limit',
      labelNames: ['protocol', 'limit'],
      registers,
    }),
    eventsPublishedTotal: new Counter({
      name: `${p}events_published_total`,
      help: 'Uplink events accepted by the bus, by kind',
      labelNames: ['kind'],
      registers,
    }),
  };
}

const HEX = (n: number, width: number) => `0x${n.toString(16).padStart(width, '0')}`;
const JT808_IDS = new Map<number, string>();
const JIMI_IDS = new Map<number, string>();

/**
 * The `message_id` label of a frame: `0x0200` (JT/T 808, 4 hex digits) or `0x12` (Jimi protocol
 * number, 2 digits). Pass `known = false` for ids the codec does not know: they all become
 * `unknown`, so garbage with valid checks cannot create thousands of series.
 */
export function messageIdLabel(protocol: DeviceProtocol, id: number, known = true): string {
  if (!known) return 'unknown';
  const cache = protocol === 'jt808' ? JT808_IDS : JIMI_IDS;
  let s = cache.get(id);
  if (s === undefined) {
    s = HEX(id, protocol === 'jt808' ? 4 : 2);
    if (cache.size < 4096) cache.set(id, s);
  }
  return s;
}

/** Typed helper: count one published event. */
export function countEvent(metrics: Pick<GatewayMetrics, 'eventsPublishedTotal'>, kind: EventKind, n = 1): void {
  metrics.eventsPublishedTotal.labels(kind).inc(n);
}

/** Typed helper: count one limit crossing. */
export function countLimitHit(
  metrics: Pick<GatewayMetrics, 'limitHitsTotal'>,
  protocol: DeviceProtocol,
  limit: GatewayLimit,
): void {
  metrics.limitHitsTotal.labels(protocol, limit).inc();
}
