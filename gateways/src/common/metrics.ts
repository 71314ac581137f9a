/**
 * Gateway metrics: the shared definitions of `@iothub/core` (`createGatewayMetrics`, docs/metrics.md)
 * on the prom-client `Registry` passed in, plus a session-issue counter. Several servers (JT/T 808
 * and Jimi in the embedded process) share one registry: the metrics are created once per registry.
 * Children are cached per label value (hot path).
 */
import {
  type GatewayMetrics as CoreMetrics,
  createGatewayMetrics,
  type DeviceProtocol,
  type EventKind,
  messageIdLabel,
} from '@iothub/core';
import { Counter, type Registry } from 'prom-client';

interface Shared {
  core: CoreMetrics;
  sessionIssues: Counter<'protocol' | 'code'>;
  backpressure: Counter<'protocol'>;
}

const shared = new WeakMap<Registry, Shared>();

/** Gateway code → `limit` label of `limit_hits_total` (core GATEWAY_LIMITS, plus garbage and proxy-header). */
const LIMIT_LABELS: Record<string, string> = {
  IOTHUB_ERR_IDLE_TIMEOUT: 'idle-timeout',
  IOTHUB_ERR_FRAME_LIMIT: 'frame-size',
  IOTHUB_ERR_OUTBOUND_LIMIT: 'pending-outbound',
  IOTHUB_ERR_RATE_LIMIT: 'message-rate',
  IOTHUB_ERR_MAX_CONNECTIONS: 'max-connections',
  IOTHUB_ERR_GARBAGE_LIMIT: 'garbage',
  IOTHUB_ERR_PROXY_HEADER: 'proxy-header',
};

/** Close code → `reason` label of `connections_closed_total`. */
const CLOSE_REASONS: Record<string, string> = {
  IOTHUB_ERR_PEER_CLOSED: 'peer',
  IOTHUB_ERR_IDLE_TIMEOUT: 'idle-timeout',
  IOTHUB_ERR_DUPLICATE_LOGIN: 'duplicate-login',
  IOTHUB_ERR_SHUTDOWN: 'shutdown',
  IOTHUB_ERR_SOCKET: 'error',
};

export class GatewayMetrics {
  readonly core: CoreMetrics;
  private readonly sessionIssues: Counter<'protocol' | 'code'>;
  private readonly backpressureTotal: { inc(): void };
  private readonly inById = new Map<number, { inc(): void }>();
  private readonly outById = new Map<number, { inc(): void }>();
  private readonly conns: { inc(): void; dec(): void };
  private readonly ack: { observe(v: number): void };
  private readonly pubOk: { observe(v: number): void };
  private readonly pubErr: { observe(v: number): void };

  constructor(
    registry: Registry,
    readonly protocol: DeviceProtocol,
  ) {
    let s = shared.get(registry);
    if (!s) {
      s = {
        core: createGatewayMetrics(registry),
        sessionIssues: new Counter({
          name: 'iothub_gateway_session_issues_total',
          help: 'Protocol session problems (refused registration, failed authentication, ...), by code',
          labelNames: ['protocol', 'code'],
          registers: [registry],
        }),
        backpressure: new Counter({
          name: 'iothub_gateway_backpressure_total',
          help: 'Times the gateway stopped reading from devices because too many records waited for the bus',
          labelNames: ['protocol'],
          registers: [registry],
        }),
      };
      shared.set(registry, s);
    }
    this.core = s.core;
    this.sessionIssues = s.sessionIssues;
    this.backpressureTotal = s.backpressure.labels(protocol);
    this.conns = this.core.connections.labels(protocol);
    this.ack = this.core.ackLatencySeconds.labels(protocol);
    this.pubOk = this.core.busPublishSeconds.labels('ok');
    this.pubErr = this.core.busPublishSeconds.labels('error');
  }

  opened(): void {
    this.conns.inc();
    this.core.connectionsTotal.labels(this.protocol).inc();
  }

  closed(code: string): void {
    this.conns.dec();
    this.core.connectionsClosedTotal.labels(this.protocol, CLOSE_REASONS[code] ?? 'limit').inc();
  }

  frameIn(msgId: number): void {
    let c = this.inById.get(msgId);
    if (!c) {
      c = this.core.framesInTotal.labels(this.protocol, messageIdLabel(this.protocol, msgId));
      if (this.inById.size < 1024) this.inById.set(msgId, c);
    }
    c.inc();
  }

  frameOut(msgId: number | undefined): void {
    const id = msgId ?? -1;
    let c = this.outById.get(id);
    if (!c) {
      c = this.core.framesOutTotal.labels(this.protocol, id < 0 ? 'unknown' : messageIdLabel(this.protocol, id));
      this.outById.set(id, c);
    }
    c.inc();
  }

  decodeError(code: string): void {
    this.core.decodeErrorsTotal.labels(this.protocol, code).inc();
  }

  limitHit(code: string): void {
    this.core.limitHitsTotal.labels(this.protocol, LIMIT_LABELS[code] ?? code).inc();
  }

  sessionIssue(code: string): void {
    this.sessionIssues.labels(this.protocol, code).inc();
  }

  /** Reading paused (counted) or resumed for backpressure. */
  backpressure(paused: boolean): void {
    if (paused) this.backpressureTotal.inc();
  }

  ackLatency(seconds: number): void {
    this.ack.observe(seconds);
  }

  published(seconds: number, ok: boolean, kinds: readonly EventKind[]): void {
    (ok ? this.pubOk : this.pubErr).observe(seconds);
    if (ok) for (const k of kinds) this.core.eventsPublishedTotal.labels(k).inc();
  }
}
