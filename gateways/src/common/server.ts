/**
 * `GatewayServer`: the protocol-independent connection runtime (the *connection* role). It owns the
 * listening socket, each device socket, timers, limits, the bus, the route table and the control
 * channel; a `Protocol` (protocol.ts) supplies the framer and the pure session.
 *
 * Per connection: optional PROXY v1/v2 header → framer (max frame size) → session.step → replies
 * (durable ones after the bus accepted the step's events), events, effects. Limits close only that
 * connection, with a log line `{code}` and `limit_hits_total{code}`: idle read timeout, frame size,
 * garbage bytes between good frames, pending outbound bytes, message rate.
 *
 * Routes: a `claim` effect claims the device (closing an older local connection of the same device
 * directly, or sending `kick` to the previous owner's gateId), traffic refreshes the entry (at most
 * every third of its TTL), the connection's end releases it. The gateway announces itself every
 * `announceIntervalMs` and retires on `close()`.
 *
 * Downlink: `command` messages on the control channel at `gateId` go to the session holding the
 * device (or are answered `offline`); the session's `command-result` effect goes to `replyTo`.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { CodecIssue } from '@iothub/codec';
import type { Bus, BusRecord, ControlChannel, ControlMessage, RouteTable, UplinkEvent } from '@iothub/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayErrorCode } from './errors.ts';
import { type FileStore, LocalFileStore } from './file-store.ts';
import type { LbsClient } from './lbs.ts';
import { GatewayMetrics } from './metrics.ts';
import type { Effect, FrameHandler, Protocol, ProtocolFramer, Session, SessionInput, StepResult } from './protocol.ts';
import { PROXY_V2_MAX, parseProxyHeader } from './proxy.ts';

export interface GatewayServerOptions<F> {
  protocol: Protocol<F>;
  gateId: string;
  bus: Bus;
  routes: RouteTable;
  control: ControlChannel;
  logger: Logger;
  registry: Registry;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '0.0.0.0'. */
  host?: string;
  topicPrefix?: string;
  /** Serve TLS with these options (certificate, key, ...). */
  tls?: tls.TlsOptions;
  /** Expect a PROXY protocol v1/v2 header first on every connection. Default false. */
  proxyProtocol?: boolean;
  /** Default 100,000. */
  maxConnections?: number;
  /** Idle read timeout. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** Largest frame; a larger one closes the connection. Default 4096. */
  maxFrameSize?: number;
  /** Bytes queued to a device that does not read. Default 256 KiB. */
  maxPendingOutboundBytes?: number;
  /** At most `messages` frames per `windowMs` per connection. Default 200 per second. */
  rateLimit?: { messages: number; windowMs: number };
  /** Bytes without a single good frame (beyond 2 × maxFrameSize) before the connection is closed. Default 16 KiB. */
  maxGarbageBytes?: number;
  /** Durable acknowledgement (default true): durable replies wait for the bus. */
  durableAck?: boolean;
  /** Route entry TTL. Default 10 minutes (refreshed by traffic). */
  routeTtlMs?: number;
  /** Gateway liveness TTL and announce period. Default 15 s / 5 s. */
  gateTtlMs?: number;
  announceIntervalMs?: number;
  /** Session timer tick and idle sweep period. Default 1 s. */
  tickMs?: number;
  /** `close()` ends within this. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Multimedia store. Default: `./data/media`. */
  fileStore?: FileStore;
  /** Resolves `resolve-location` effects; null / absent = LBS not configured (data published unresolved). */
  lbs?: LbsClient | null;
  /** Longest wait for the LBS; then the data is published unresolved. Default 1500 ms. */
  lbsTimeoutMs?: number;
  /**
   * Backpressure: while more records than this wait for the bus (published, not yet accepted), the
   * gateway stops reading from the connections that send more, so an overloaded bus slows the
   * devices through TCP instead of the gateway spending its CPU on input it cannot deliver (the
   * Kafka broker shares the machine). Reading resumes below half of it. Default 20,000; 0 = off.
   */
  maxInflightRecords?: number;
  /** Clock (tests). */
  now?: () => number;
}

let connCounter = 0;

export class GatewayServer<F> {
  readonly gateId: string;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  private readonly o: Required<
    Omit<
      GatewayServerOptions<F>,
      'tls' | 'metrics' | 'logger' | 'registry' | 'fileStore' | 'now' | 'protocol' | 'lbs' | 'lbsTimeoutMs'
    >
  >;
  private readonly tlsOptions: tls.TlsOptions | undefined;
  readonly protocol: Protocol<F>;
  readonly fileStore: FileStore;
  readonly lbs: LbsClient | null;
  readonly lbsTimeoutMs: number;
  readonly now: () => number;
  private server: net.Server | null = null;
  readonly connections = new Set<Connection<F>>();
  /** Local connection holding each device. */
  readonly byDevice = new Map<string, Connection<F>>();
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => Promise<void>) | null = null;
  private closing = false;
  private closedPromise: Promise<void> | null = null;

  constructor(options: GatewayServerOptions<F>) {
    this.protocol = options.protocol;
    this.gateId = options.gateId;
    this.logger = options.logger.child({ proto: options.protocol.name, gateId: options.gateId });
    this.metrics = new GatewayMetrics(options.registry, options.protocol.name);
    this.tlsOptions = options.tls;
    this.fileStore = options.fileStore ?? new LocalFileStore('data/media');
    this.lbs = options.lbs ?? null;
    this.lbsTimeoutMs = options.lbsTimeoutMs ?? 1500;
    this.now = options.now ?? Date.now;
    this.o = {
      gateId: options.gateId,
      bus: options.bus,
      routes: options.routes,
      control: options.control,
      port: options.port ?? 0,
      host: options.host ?? '0.0.0.0',
      topicPrefix: options.topicPrefix ?? 'iothub',
      proxyProtocol: options.proxyProtocol ?? false,
      maxConnections: options.maxConnections ?? 100_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 5 * 60_000,
      maxFrameSize: options.maxFrameSize ?? 4096,
      maxPendingOutboundBytes: options.maxPendingOutboundBytes ?? 256 * 1024,
      rateLimit: options.rateLimit ?? { messages: 200, windowMs: 1000 },
      maxGarbageBytes: options.maxGarbageBytes ?? 16 * 1024,
      durableAck: options.durableAck ?? true,
      routeTtlMs: options.routeTtlMs ?? 10 * 60_000,
      gateTtlMs: options.gateTtlMs ?? 15_000,
      announceIntervalMs: options.announceIntervalMs ?? 5_000,
      tickMs: options.tickMs ?? 1_000,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
      maxInflightRecords: options.maxInflightRecords ?? 20_000,
    };
  }

  /** Records published and not yet accepted or refused by the bus. */
  inflightRecords = 0;
  /** Connections whose reading is paused for backpressure. */
  private readonly paused = new Set<Connection<F>>();

  /** A connection read data: past the in-flight limit it stops reading until the bus catches up. */
  throttle(c: Connection<F>): boolean {
    const max = this.o.maxInflightRecords;
    if (max <= 0 || this.inflightRecords <= max || this.paused.has(c)) return false;
    this.paused.add(c);
    if (this.paused.size === 1) this.metrics.backpressure(true);
    return true;
  }

  /** The bus answered `count` records: below half the limit, every paused connection reads again. */
  settled(count: number): void {
    this.inflightRecords -= count;
    if (this.paused.size === 0 || this.inflightRecords > this.o.maxInflightRecords / 2) return;
    const resumed = [...this.paused];
    this.paused.clear();
    this.metrics.backpressure(false);
    for (const c of resumed) c.resumeReading();
  }

  /** A closed connection is not resumed. */
  forgetPaused(c: Connection<F>): void {
    this.paused.delete(c);
  }

  get options(): Readonly<typeof this.o> {
    return this.o;
  }

  /** The bound port (after `listen`). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  async listen(): Promise<void> {
    if (this.server) throw new Error('already listening');
    await this.announce();
    this.unlisten = await this.o.control.listen(this.gateId, (m) => this.onControl(m));
    const onSocket = (socket: net.Socket) => this.accept(socket);
    const server = this.tlsOptions ? tls.createServer(this.tlsOptions, onSocket) : net.createServer(onSocket);
    if (this.tlsOptions) server.on('tlsClientError', () => this.metrics.decodeError('IOTHUB_ERR_TLS'));
    server.on('error', (err) => this.logger.error({ err }, 'server error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.timers.push(setInterval(() => void this.announce(), this.o.announceIntervalMs));
    this.timers.push(setInterval(() => this.sweep(), this.o.tickMs));
    for (const t of this.timers) t.unref();
    this.logger.info({ port: this.port, tls: !!this.tlsOptions, proxy: this.o.proxyProtocol }, 'gateway listening');
  }

  private async announce(): Promise<void> {
    try {
      await this.o.routes.announceGate(this.gateId, this.o.gateTtlMs);
    } catch (err) {
      this.logger.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'announceGate failed');
    }
  }

  private accept(socket: net.Socket): void {
    if (this.closing || this.connections.size >= this.o.maxConnections) {
      this.metrics.limitHit('IOTHUB_ERR_MAX_CONNECTIONS');
      this.logger.warn({ code: 'IOTHUB_ERR_MAX_CONNECTIONS', remote: socket.remoteAddress }, 'connection refused');
      socket.destroy();
      return;
    }
    const conn = new Connection(this, socket);
    this.connections.add(conn);
    this.metrics.opened();
  }

  /** Called by a connection when its socket is gone. */
  forget(conn: Connection<F>): void {
    if (this.connections.delete(conn)) this.metrics.closed(conn.closedWith ?? 'IOTHUB_ERR_PEER_CLOSED');
    if (conn.deviceImei !== null && this.byDevice.get(conn.deviceImei) === conn) this.byDevice.delete(conn.deviceImei);
  }

  private sweep(): void {
    const now = this.now();
    for (const c of this.connections) {
      // One connection's failure must never escape the timer (it would end the process).
      try {
        c.tick(now);
      } catch (err) {
        c.fail(err);
      }
    }
  }

  private onControl(m: ControlMessage): void {
    if (m.type === 'kick') {
      const c = this.byDevice.get(m.deviceImei);
      if (c && c.id === m.connId) c.close('IOTHUB_ERR_DUPLICATE_LOGIN', m.reason);
      return;
    }
    if (m.type === 'command') {
      const c = this.byDevice.get(m.deviceImei);
      if (!c) {
        this.sendControl(m.replyTo, { type: 'command-result', commandId: m.commandId, result: { status: 'offline' } });
        return;
      }
      if (m.deadline <= this.now()) {
        this.sendControl(m.replyTo, { type: 'command-result', commandId: m.commandId, result: { status: 'timeout' } });
        return;
      }
      c.input({
        type: 'command',
        commandId: m.commandId,
        replyTo: m.replyTo,
        deadline: m.deadline,
        command: m.command,
      });
    }
  }

  sendControl(address: string, message: ControlMessage): void {
    this.o.control.send(address, message).catch((err: unknown) => {
      this.logger.warn({ err, code: 'IOTHUB_ERR_CONTROL', address, type: message.type }, 'control send failed');
    });
  }

  /**
   * Graceful shutdown: stop accepting, let pending publishes and writes finish, close every
   * connection, retire from the route table; resolves within `shutdownTimeoutMs`.
   */
  close(): Promise<void> {
    this.closedPromise ??= this.doClose();
    return this.closedPromise;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const deadline = this.now() + this.o.shutdownTimeoutMs;
    const serverClosed = this.server
      ? new Promise<void>((resolve) => this.server!.close(() => resolve()))
      : Promise.resolve();
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten) await unlisten().catch(() => undefined);
    const drains = [...this.connections].map((c) => c.shutdown());
    const budget = Math.max(0, deadline - this.now() - 500);
    await Promise.race([Promise.all(drains), delay(budget)]);
    for (const c of this.connections) c.destroy('IOTHUB_ERR_SHUTDOWN');
    await Promise.race([serverClosed, delay(Math.max(0, deadline - this.now()))]);
    try {
      await this.o.routes.retireGate(this.gateId);
    } catch (err) {
      this.logger.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'retireGate failed');
    }
    this.logger.info('gateway closed');
  }

  topicFor(kind: string): string {
    return `${this.o.topicPrefix}.${kind}`;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const RESOLVED = Promise.resolve();

/** One device connection: the only code that touches its socket. */
export class Connection<F> implements FrameHandler<F> {
  readonly id: string;
  remoteAddress: string;
  deviceImei: string | null = null;
  private readonly framer: ProtocolFramer<F>;
  private session: Session<F> | null = null;
  private readonly log: Logger;
  private proxyBuf: Buffer | null;
  private lastReadAt: number;
  private windowStart: number;
  private windowCount = 0;
  /** Bytes received since the last chunk that produced a frame. */
  private unframed = 0;
  private frameSeen = false;
  /** Effects with a pending answer; frames wait in `held` meanwhile. */
  private awaiting = 0;
  private held: F[] = [];
  /** Writes and publishes in order: the last link of the chain, or null when idle. */
  private tail: Promise<void> | null = null;
  private pendingLinks = 0;
  private closed = false;
  private closeCode: string | null = null;
  private lastRefresh = 0;
  private claimedVersion: string | undefined;
  private frameAt = 0;

  constructor(
    private readonly gw: GatewayServer<F>,
    private readonly socket: net.Socket,
  ) {
    this.id = `${gw.gateId}-${(++connCounter).toString(36)}`;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.log = gw.logger.child({ conn: this.id });
    const now = gw.now();
    this.lastReadAt = now;
    this.windowStart = now;
    this.framer = gw.protocol.createFramer({ maxFrameSize: gw.options.maxFrameSize });
    this.proxyBuf = gw.options.proxyProtocol ? Buffer.alloc(0) : null;
    if (!this.proxyBuf) this.startSession();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.log.debug({ err, code: 'IOTHUB_ERR_SOCKET' }, 'socket error');
      this.finish('IOTHUB_ERR_SOCKET');
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => this.finish('IOTHUB_ERR_PEER_CLOSED'));
  }

  private startSession(): void {
    this.session = this.gw.protocol.createSession({
      gateId: this.gw.gateId,
      connId: this.id,
      remoteAddress: this.remoteAddress,
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastReadAt = this.gw.now();
    if (this.proxyBuf) {
      const buf = this.proxyBuf.length === 0 ? chunk : Buffer.concat([this.proxyBuf, chunk]);
      const r = parseProxyHeader(buf);
      if (r.status === 'incomplete') {
        if (buf.length > PROXY_V2_MAX) {
          this.limit('IOTHUB_ERR_PROXY_HEADER', 'header too long');
          return;
        }
        this.proxyBuf = buf;
        return;
      }
      if (r.status === 'invalid') {
        this.limit('IOTHUB_ERR_PROXY_HEADER', r.detail);
        return;
      }
      if (r.source) this.remoteAddress = `${r.source.address}:${r.source.port}`;
      this.proxyBuf = null;
      this.startSession();
      chunk = buf.subarray(r.length);
      if (chunk.length === 0) return;
    }
    this.frameSeen = false;
    this.framer.push(chunk, this);
    if (!this.closed && this.gw.throttle(this)) this.socket.pause();
    if (this.frameSeen) this.unframed = 0;
    else if (!this.closed) {
      // Bytes that produced no frame (garbage, or a frame in progress: at most 2 × maxFrameSize escaped).
      this.unframed += chunk.length;
      const o = this.gw.options;
      if (this.unframed > o.maxGarbageBytes + 2 * o.maxFrameSize) {
        this.limit('IOTHUB_ERR_GARBAGE_LIMIT', `${this.unframed} bytes without a frame`);
      }
    }
  }

  /** FrameHandler: a decoded frame. */
  frame(frame: F, msgId: number): void {
    if (this.closed) return;
    this.gw.metrics.frameIn(msgId);
    this.frameSeen = true;
    const now = this.lastReadAt;
    if (now - this.windowStart >= this.gw.options.rateLimit.windowMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (++this.windowCount > this.gw.options.rateLimit.messages) {
      this.limit('IOTHUB_ERR_RATE_LIMIT', `over ${this.gw.options.rateLimit.messages} messages`);
      return;
    }
    if (this.awaiting > 0) {
      this.held.push(frame);
      return;
    }
    this.frameAt = now;
    this.step({ type: 'frame', frame }, now);
  }

  /** FrameHandler: a framing or decoding issue. */
  issue(issue: CodecIssue): void {
    if (this.closed) return;
    this.gw.metrics.decodeError(issue.code);
    if (issue.code === 'IOTHUB_ERR_FRAME_TOO_LARGE') {
      this.limit('IOTHUB_ERR_FRAME_LIMIT', issue.detail ?? 'frame too large');
      return;
    }
    this.log.debug({ code: issue.code, detail: issue.detail, imei: this.deviceImei }, 'frame issue');
  }

  /** Step an input other than a frame (commands, effect answers). */
  input(input: SessionInput<F>): void {
    if (this.closed || !this.session) {
      if (input.type === 'command') {
        this.gw.sendControl(input.replyTo, {
          type: 'command-result',
          commandId: input.commandId,
          result: { status: 'offline' },
        });
      }
      return;
    }
    this.step(input, this.gw.now());
  }

  /**
   * Run one session step and apply it. A session that throws (a bug, or an encoder rejecting a value
   * a device provoked) costs only this connection: logged with its code, counted, connection closed.
   */
  private step(input: SessionInput<F>, now: number): void {
    let result: StepResult;
    try {
      result = this.session!.step(input, now);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.apply(result);
  }

  /** Close this connection after an unexpected error in its own processing. */
  fail(err: unknown): void {
    if (this.closed) return;
    this.gw.metrics.sessionIssue('IOTHUB_ERR_SESSION_FAILED');
    this.log.error({ err, code: 'IOTHUB_ERR_SESSION_FAILED', imei: this.deviceImei }, 'session step failed');
    this.close('IOTHUB_ERR_SESSION_FAILED', err instanceof Error ? err.message : String(err));
  }

  /** Backpressure is over: read again (the pause does not count as idle time). */
  resumeReading(): void {
    if (this.closed) return;
    this.lastReadAt = this.gw.now();
    this.socket.resume();
  }

  tick(now: number): void {
    if (this.closed) return;
    if (this.socket.isPaused()) this.lastReadAt = now;
    if (now - this.lastReadAt > this.gw.options.idleTimeoutMs) {
      this.limit('IOTHUB_ERR_IDLE_TIMEOUT', `idle for ${now - this.lastReadAt} ms`);
      return;
    }
    if (this.session) this.step({ type: 'tick' }, now);
    if (
      this.deviceImei !== null &&
      now - this.lastRefresh > this.gw.options.routeTtlMs / 3 &&
      this.lastReadAt > this.lastRefresh
    ) {
      this.lastRefresh = now;
      const imei = this.deviceImei;
      this.gw.options.routes
        .refresh(imei, this.gw.gateId, this.id, this.gw.options.routeTtlMs)
        .then((owned) => {
          if (!owned && this.deviceImei === imei && !this.closed) void this.claim(imei, this.claimedVersion);
        })
        .catch((err: unknown) => this.log.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'route refresh failed'));
    }
  }

  private apply(r: StepResult): void {
    if (r.issues) {
      for (const i of r.issues) {
        this.gw.metrics.sessionIssue(i.code);
        this.log.info({ code: i.code, detail: i.detail, imei: this.deviceImei }, 'session issue');
      }
    }
    const hasEvents = r.events.length > 0;
    let published: Promise<boolean> | null = null;
    if (hasEvents) published = this.publish(r.events);
    if (r.replies.length > 0) {
      const durableWait = published !== null && this.gw.options.durableAck && r.replies.some((x) => x.durable);
      if (!durableWait && this.tail === null) {
        for (const reply of r.replies) this.write(reply.bytes, reply.msgId);
      } else {
        const receivedAt = this.frameAt;
        const replies = r.replies;
        const pub = published;
        this.chain(async () => {
          const ok = pub && durableWait ? await pub : true;
          let durableWritten = false;
          for (const reply of replies) {
            if (reply.durable && durableWait && !ok) continue;
            this.write(reply.bytes, reply.msgId);
            if (reply.durable) durableWritten = true;
          }
          if (durableWritten && durableWait) {
            this.gw.metrics.ackLatency((this.gw.now() - receivedAt) / 1000);
          }
        });
      }
    }
    for (const e of r.effects) this.effect(e);
  }

  private chain(fn: () => Promise<void> | void): void {
    const prev = this.tail ?? RESOLVED;
    this.pendingLinks++;
    const next = prev.then(fn).catch((err: unknown) => this.log.error({ err }, 'connection chain failed'));
    this.tail = next;
    void next.then(() => {
      if (--this.pendingLinks === 0 && this.tail === next) this.tail = null;
    });
  }

  private publish(events: UplinkEvent[]): Promise<boolean> {
    const records: BusRecord[] = events.map((e) => ({
      topic: this.gw.topicFor(e.kind),
      key: e.deviceImei,
      value: Buffer.from(JSON.stringify(e)),
    }));
    const started = this.gw.now();
    const kinds = events.map((e) => e.kind);
    const m = this.gw.metrics;
    this.gw.inflightRecords += records.length;
    return this.gw.options.bus.publish(records).then(
      () => {
        this.gw.settled(records.length);
        m.published((this.gw.now() - started) / 1000, true, kinds);
        return true;
      },
      (err: unknown) => {
        this.gw.settled(records.length);
        m.published((this.gw.now() - started) / 1000, false, kinds);
        const code = (err as { code?: string } | null)?.code;
        this.log.warn(
          { code: 'IOTHUB_ERR_PUBLISH_FAILED', cause: code, imei: this.deviceImei, events: records.length },
          'publish failed: durable replies withheld',
        );
        return false;
      },
    );
  }

  private write(bytes: Buffer, msgId: number | undefined): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(bytes);
    this.gw.metrics.frameOut(msgId);
    if (this.socket.writableLength > this.gw.options.maxPendingOutboundBytes) {
      this.limit('IOTHUB_ERR_OUTBOUND_LIMIT', `${this.socket.writableLength} bytes pending`);
    }
  }

  private effect(e: Effect): void {
    const routes = this.gw.options.routes;
    switch (e.type) {
      case 'claim':
        void this.claim(e.deviceImei, e.protocolVersion);
        return;
      case 'release': {
        const imei = this.deviceImei;
        if (imei === null) return;
        this.deviceImei = null;
        if (this.gw.byDevice.get(imei) === this) this.gw.byDevice.delete(imei);
        routes
          .release(imei, this.gw.gateId, this.id)
          .catch((err: unknown) => this.log.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'route release failed'));
        return;
      }
      case 'get-auth-code':
        this.await(
          routes.getAuthCode(e.phone).then((code) => ({ type: 'auth-code', id: e.id, code }) as const),
          e.id,
          'IOTHUB_ERR_ROUTE_TABLE',
        );
        return;
      case 'set-auth-code':
        routes
          .setAuthCode(e.phone, e.code)
          .catch((err: unknown) => this.log.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'setAuthCode failed'));
        return;
      case 'store-file':
        this.await(
          this.gw.fileStore
            .put(e.name, e.data)
            .then((location) => ({ type: 'file-stored', id: e.id, location }) as const),
          e.id,
          'IOTHUB_ERR_FILE_STORE',
        );
        return;
      case 'close':
        this.chain(() => this.close(e.code as GatewayErrorCode, e.detail));
        return;
      case 'command-result':
        this.gw.sendControl(e.replyTo, { type: 'command-result', commandId: e.commandId, result: e.result });
        return;
      case 'resolve-location':
        this.resolveLocation(e.id, e.query);
        return;
      default: {
        const never: never = e;
        throw new Error(`unknown effect ${(never as { type: string }).type}`);
      }
    }
  }

  private await(p: Promise<SessionInput<F>>, id: number, failCode: GatewayErrorCode): void {
    this.awaiting++;
    p.then(
      (input) => input,
      (err: unknown): SessionInput<F> => {
        this.log.warn({ err, code: failCode }, 'effect failed');
        return { type: 'effect-failed', id, code: failCode };
      },
    ).then((input) => {
      this.awaiting--;
      if (this.closed || !this.session) return;
      this.step(input, this.gw.now());
      while (this.awaiting === 0 && this.held.length > 0 && !this.closed) {
        const f = this.held.shift()!;
        this.frameAt = this.gw.now();
        this.step({ type: 'frame', frame: f }, this.frameAt);
      }
    });
  }

  /**
   * `resolve-location`: ask the LBS client, bounded by `lbsTimeoutMs`. Not configured, failed or
   * late → `effect-failed` with a stable code (the session publishes the data unresolved); the
   * connection's later frames wait meanwhile (order kept), so the wait is bounded too.
   */
  private resolveLocation(id: number, query: Extract<Effect, { type: 'resolve-location' }>['query']): void {
    const lbs = this.gw.lbs;
    const failed = (code: GatewayErrorCode): SessionInput<F> => {
      this.gw.metrics.sessionIssue(code);
      return { type: 'effect-failed', id, code };
    };
    if (!lbs) {
      this.await(Promise.resolve(failed('IOTHUB_ERR_LBS_UNAVAILABLE')), id, 'IOTHUB_ERR_LBS_UNAVAILABLE');
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.gw.lbsTimeoutMs);
      timer.unref();
    });
    // `then`: a client that throws synchronously fails like one that rejects.
    const answer = Promise.race([RESOLVED.then(() => lbs.resolve(query)), timeout]).then(
      (a): SessionInput<F> => {
        clearTimeout(timer);
        if (a === 'timeout') {
          this.log.warn({ code: 'IOTHUB_ERR_LBS_TIMEOUT', imei: this.deviceImei }, 'LBS timeout: published unresolved');
          return failed('IOTHUB_ERR_LBS_TIMEOUT');
        }
        if (a.code === 0) {
          return {
            type: 'location-resolved',
            id,
            location: { lat: a.lat, lng: a.lng, accuracy: a.accuracy, type: a.type },
          };
        }
        if (a.code === 400) return { type: 'location-resolved', id, location: null };
        this.log.warn({ code: 'IOTHUB_ERR_LBS_FAILED', lbsCode: a.code, imei: this.deviceImei }, 'LBS failed');
        return failed('IOTHUB_ERR_LBS_FAILED');
      },
      (err: unknown): SessionInput<F> => {
        clearTimeout(timer);
        this.log.warn(
          { err, code: 'IOTHUB_ERR_LBS_FAILED', imei: this.deviceImei },
          'LBS failed: published unresolved',
        );
        return failed('IOTHUB_ERR_LBS_FAILED');
      },
    );
    this.await(answer, id, 'IOTHUB_ERR_LBS_FAILED');
  }

  private async claim(imei: string, protocolVersion: string | undefined): Promise<void> {
    const gw = this.gw;
    const previousLocal = gw.byDevice.get(imei);
    if (previousLocal && previousLocal !== this) previousLocal.close('IOTHUB_ERR_DUPLICATE_LOGIN', 'new login');
    if (this.deviceImei !== null && this.deviceImei !== imei && gw.byDevice.get(this.deviceImei) === this) {
      gw.byDevice.delete(this.deviceImei);
    }
    this.deviceImei = imei;
    this.claimedVersion = protocolVersion;
    gw.byDevice.set(imei, this);
    this.lastRefresh = gw.now();
    try {
      const previous = await gw.options.routes.claim(
        {
          deviceImei: imei,
          gateId: gw.gateId,
          connId: this.id,
          protocol: gw.protocol.name,
          ...(protocolVersion !== undefined ? { protocolVersion } : {}),
          remoteAddress: this.remoteAddress,
          since: gw.now(),
        },
        gw.options.routeTtlMs,
      );
      if (previous && previous.gateId !== gw.gateId) {
        gw.sendControl(previous.gateId, {
          type: 'kick',
          deviceImei: imei,
          connId: previous.connId,
          reason: `login on ${gw.gateId}`,
        });
      } else if (previous && previous.connId !== this.id) {
        const c = gw.byDevice.get(imei);
        if (c && c.id === previous.connId) c.close('IOTHUB_ERR_DUPLICATE_LOGIN', 'new login');
      }
    } catch (err) {
      this.log.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE', imei }, 'route claim failed');
    }
  }

  private limit(code: GatewayErrorCode, detail: string): void {
    if (this.closed) return;
    this.gw.metrics.limitHit(code);
    this.log.warn({ code, detail, imei: this.deviceImei, remote: this.remoteAddress }, 'limit crossed: closing');
    this.destroy(code);
  }

  /** Close after the queued writes (a reason code is logged and counted). */
  close(code: string, detail?: string): void {
    if (this.closed) return;
    this.log.info({ code, detail, imei: this.deviceImei }, 'closing connection');
    this.finish(code);
    this.socket.end();
    // A device that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2_000).unref();
  }

  destroy(code: string): void {
    this.finish(code);
    this.socket.destroy();
  }

  /** Graceful: wait for pending publishes/writes, then end the socket. */
  async shutdown(): Promise<void> {
    if (this.tail) await this.tail;
    this.close('IOTHUB_ERR_SHUTDOWN');
    if (!this.socket.destroyed) await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
  }

  /** The connection is over: tell the session, release the route, count it. Runs once. */
  private finish(code: string): void {
    if (this.closed) return;
    this.closed = true;
    this.gw.forgetPaused(this);
    this.closeCode = code;
    const gw = this.gw;
    if (this.session) {
      const r = this.session.step({ type: 'closed', code }, gw.now());
      if (r.events.length > 0) void this.publish(r.events);
      for (const e of r.effects) if (e.type === 'command-result') this.effect(e);
    }
    const imei = this.deviceImei;
    gw.forget(this);
    if (imei !== null) {
      gw.options.routes
        .release(imei, gw.gateId, this.id)
        .catch((err: unknown) => this.log.warn({ err, code: 'IOTHUB_ERR_ROUTE_TABLE' }, 'route release failed'));
    }
    this.held = [];
  }

  get closedWith(): string | null {
    return this.closeCode;
  }
}
