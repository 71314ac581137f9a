import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { jt808 } from '@iothub/codec';
import { ackKeyId, type DriverEvent, type Outbound, type ProtocolDriver } from './driver.ts';
import { SimError, type SimErrorCode } from './errors.ts';
import { DEFAULT_IMEI_BASE, DEFAULT_PHONE_BASE, imeiFor, phoneFor } from './identity.ts';
import { JimiDriver, type LocationAckMode } from './jimi-driver.ts';
import { Jt808Driver } from './jt808-driver.ts';
import { type Fix, prng, Track } from './motion.ts';
import { type MessageKind, SimStats } from './stats.ts';

export const SIM_PROTOCOLS = ['jt808-2013', 'jt808-2019', 'jimi'] as const;
export type SimProtocol = (typeof SIM_PROTOCOLS)[number];

export type DeviceState = 'idle' | 'connecting' | 'login' | 'online' | 'waiting' | 'stopped';

export interface ReconnectOptions {
  /** First delay after a drop, ms (before jitter). Default 500. */
  minDelayMs?: number;
  /** Largest delay, ms. Default 10,000. */
  maxDelayMs?: number;
  /** Consecutive failed attempts before the device gives up (IOTHUB_ERR_SIM_GAVE_UP). Default unlimited. */
  maxAttempts?: number;
}

export interface DeviceHooks {
  /** An acknowledgement arrived for a pending message. */
  onAck?(device: SimulatedDevice, kind: MessageKind, serial: number, latencyMs: number): void;
  /** A downlink command was received and answered. */
  onCommand?(device: SimulatedDevice, id: number, command: string | undefined): void;
  onState?(device: SimulatedDevice, state: DeviceState): void;
  /** An error was counted (code from errors.ts or a codec issue code). */
  onError?(device: SimulatedDevice, code: string, detail: string | undefined): void;
}

export interface DeviceOptions {
  protocol: SimProtocol;
  host: string;
  port: number;
  /** Local source address to connect from (spread load tests over 127.0.0.1–127.0.0.8). */
  localAddress?: string;
  /** Device index: derives the identity (with the bases) and seeds the movement. Default 0. */
  index?: number;
  /** JT/T 808 phone number (overrides the derived one). */
  phone?: string;
  /** 15-digit IMEI (overrides the derived one; Jimi login, JT/T 808-2019 authentication). */
  imei?: string;
  phoneBase?: string;
  imeiBase?: string;
  /** Locations per second (fractions allowed; 0 = only on `sendLocation()`). Default 1. */
  rate?: number;
  /** Heartbeat interval, s (0 = none). Default 30. */
  heartbeatSeconds?: number;
  /** Every n-th location is an alarm (0 = never). Default 0. */
  alarmEvery?: number;
  /** JT/T 808: after every n-th location also send a 0x0704 batch (0 = never). Default 0. */
  batchEvery?: number;
  /** Positions per 0x0704 batch. Default 5. */
  batchSize?: number;
  /** An unacknowledged message counts as timed out after this long, ms. Default 10,000. */
  ackTimeoutMs?: number;
  /** Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Register/authenticate/login must complete within this, ms. Default 10,000. */
  loginTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** JT/T 808: register on every connection instead of reusing the auth code. */
  reRegister?: boolean;
  /**
   * Jimi: acks of 0x22 locations (the reference has none; a durable-ack gateway may send them).
   * 'auto' (default): awaited, but a missing one is an error only after the server acknowledged
   * one; 'yes': always expected; 'no': not awaited.
   */
  locationAck?: LocationAckMode;
  /** Skip data messages while more than this many bytes wait in the socket. Default 256 KiB. */
  maxBufferedBytes?: number;
  /** Counters to add to (a fleet shares one). Default: the device's own. */
  stats?: SimStats;
  hooks?: DeviceHooks;
  /** Centre of the area the device drives in. */
  origin?: { latitude: number; longitude: number };
}

interface Pending {
  sentAt: number;
  kind: MessageKind;
  serial: number;
  optional: boolean;
}

const DATA_KINDS = new Set<MessageKind>(['heartbeat', 'location', 'alarm', 'batch']);

function positiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `${what} ${v} must be an integer ≥ 0`);
}

/**
 * One simulated tracker over TCP. `start()` connects and keeps it running (login, heartbeats,
 * locations at `rate`, alarms, batches; downlink commands answered; reconnection with
 * exponential backoff and jitter when dropped) until `stop()`.
 *
 * Counts go to `stats` (sent / acknowledged by kind, errors by code, reconnects, the ack
 * latency histogram); per-message state is only the map of messages awaiting an ack, bounded
 * by the serial space and emptied by the ack timeout.
 */
export class SimulatedDevice {
  readonly protocol: SimProtocol;
  readonly index: number;
  /** The gateway's `deviceImei` for this device. */
  readonly deviceId: string;
  /** JT/T 808 phone number ('' for Jimi). */
  readonly phone: string;
  readonly imei: string;
  readonly stats: SimStats;
  readonly localAddress: string | undefined;

  private readonly opts: DeviceOptions;
  private readonly driver: ProtocolDriver;
  private readonly track: Track;
  private readonly rnd: () => number;
  private readonly pending = new Map<number, Pending>();
  private readonly recent: Fix[] = [];
  private readonly events: DriverEvent[] = [];
  private socket: Socket | null = null;
  private _state: DeviceState = 'idle';
  private stopping = false;
  private attempt = 0;
  private lossCounted = false;
  /** The server acknowledged a message whose ack is optional (see `locationAck`). */
  private optionalAcksSeen = false;
  private timers: { tick?: NodeJS.Timeout; connect?: NodeJS.Timeout; login?: NodeJS.Timeout; retry?: NodeJS.Timeout } =
    {};
  private lastTick = 0;
  private lastHeartbeat = 0;
  private lastSweep = 0;
  private due = 0;
  private locations = 0;
  private closed: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;
  private onlineWaiters: (() => void)[] = [];

  constructor(options: DeviceOptions) {
    if (!SIM_PROTOCOLS.includes(options.protocol)) {
      throw new SimError('IOTHUB_ERR_SIM_ARGS', `protocol ${String(options.protocol)}`);
    }
    const rate = options.rate ?? 1;
    if (!Number.isFinite(rate) || rate < 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `rate ${rate}`);
    const hb = options.heartbeatSeconds ?? 30;
    if (!Number.isFinite(hb) || hb < 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `heartbeat ${hb}`);
    positiveInt(options.alarmEvery ?? 0, 'alarmEvery');
    positiveInt(options.batchEvery ?? 0, 'batchEvery');
    positiveInt(options.batchSize ?? 5, 'batchSize');
    this.opts = options;
    this.protocol = options.protocol;
    this.index = options.index ?? 0;
    this.localAddress = options.localAddress;
    this.stats = options.stats ?? new SimStats();
    const trackOptions: ConstructorParameters<typeof Track>[0] = { seed: this.index };
    if (options.origin) trackOptions.origin = options.origin;
    this.track = new Track(trackOptions);
    this.rnd = prng(this.index + 0x5eed);
    this.imei = options.imei ?? imeiFor(options.imeiBase ?? DEFAULT_IMEI_BASE, this.index);
    const currentFix = () => this.track.next(Date.now());
    if (options.protocol === 'jimi') {
      this.phone = '';
      const d: ConstructorParameters<typeof JimiDriver>[0] = {
        imei: this.imei,
        currentFix,
        cell: { lac: 10000 + (this.index % 50000), cellId: 1000 + (this.index % 100000) },
      };
      if (options.locationAck !== undefined) d.locationAck = options.locationAck;
      this.driver = new JimiDriver(d);
    } else {
      const version = options.protocol === 'jt808-2019' ? 2019 : 2013;
      this.phone = options.phone ?? phoneFor(options.phoneBase ?? DEFAULT_PHONE_BASE, this.index, version);
      const d: ConstructorParameters<typeof Jt808Driver>[0] = {
        version,
        phone: this.phone,
        imei: this.imei,
        currentFix,
        params: this.params(),
      };
      if (options.reRegister !== undefined) d.reRegister = options.reRegister;
      this.driver = new Jt808Driver(d);
    }
    this.deviceId = this.driver.deviceId;
  }

  /** Parameters reported in 0x0104. */
  private params(): jt808.TerminalParam[] {
    const o = this.opts;
    const rate = o.rate ?? 1;
    return [
      { id: 0x0001, value: Math.round(o.heartbeatSeconds ?? 30) },
      { id: 0x0013, value: o.host },
      { id: 0x0029, value: rate > 0 ? Math.max(1, Math.round(1 / rate)) : 0 },
      { id: 0x0055, value: 120 }, // maximum speed, km/h
    ];
  }

  get state(): DeviceState {
    return this._state;
  }

  /** Messages awaiting an acknowledgement now. */
  get pendingAcks(): number {
    return this.pending.size;
  }

  private setState(s: DeviceState): void {
    if (this._state === s) return;
    this._state = s;
    if (s === 'online') {
      const w = this.onlineWaiters;
      this.onlineWaiters = [];
      for (const f of w) f();
    }
    this.opts.hooks?.onState?.(this, s);
  }

  private error(code: SimErrorCode | string, detail?: string): void {
    this.stats.error(code);
    this.opts.hooks?.onError?.(this, code, detail);
  }

  /** Connect and run until `stop()`. Calling it again while running does nothing. */
  start(): void {
    if (this._state !== 'idle' && this._state !== 'stopped') return;
    this.stopping = false;
    this.attempt = 0;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.connect();
  }

  /** Resolves when the device is online (login complete), rejects after `timeoutMs`. */
  waitOnline(timeoutMs = 10_000): Promise<void> {
    if (this._state === 'online') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.onlineWaiters = this.onlineWaiters.filter((f) => f !== done);
        reject(new Error(`device ${this.deviceId} not online within ${timeoutMs} ms (state ${this._state})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.onlineWaiters.push(done);
    });
  }

  private connect(): void {
    this.setState('connecting');
    this.lossCounted = false;
    const o = this.opts;
    const sock = o.localAddress
      ? connect({ host: o.host, port: o.port, localAddress: o.localAddress })
      : connect({ host: o.host, port: o.port });
    this.socket = sock;
    sock.setNoDelay(true);
    let established = false;
    this.timers.connect = setTimeout(() => {
      this.error('IOTHUB_ERR_SIM_CONNECT_TIMEOUT', `${o.host}:${o.port}`);
      this.lossCounted = true;
      sock.destroy();
    }, o.connectTimeoutMs ?? 10_000);
    sock.once('connect', () => {
      established = true;
      clearTimeout(this.timers.connect);
      this.stats.connects++;
      if (this.stopping) {
        sock.end();
        return;
      }
      this.setState('login');
      this.timers.login = setTimeout(() => {
        this.error('IOTHUB_ERR_SIM_LOGIN_TIMEOUT');
        this.lossCounted = true;
        sock.destroy();
      }, o.loginTimeoutMs ?? 10_000);
      this.write(this.driver.connected());
    });
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (this.lossCounted) return;
      this.lossCounted = true;
      this.error(established ? 'IOTHUB_ERR_SIM_SOCKET' : 'IOTHUB_ERR_SIM_CONNECT', err.code ?? err.message);
    });
    sock.on('close', () => this.onClose(sock, established));
  }

  private onClose(sock: Socket, established: boolean): void {
    if (this.socket !== sock) return;
    this.socket = null;
    clearTimeout(this.timers.connect);
    clearTimeout(this.timers.login);
    clearInterval(this.timers.tick);
    // Messages awaiting an ack on this connection are lost for good: they stay counted as
    // unacknowledged (expectingAck − acknowledged).
    for (const p of this.pending.values()) this.forgetOptional(p);
    this.pending.clear();
    if (this.stopping) {
      this.finish();
      return;
    }
    if (established && !this.lossCounted) this.error('IOTHUB_ERR_SIM_CLOSED');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const r = this.opts.reconnect ?? {};
    const max = r.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (this.attempt >= max) {
      this.error('IOTHUB_ERR_SIM_GAVE_UP', `${this.attempt} attempts`);
      this.finish();
      return;
    }
    const min = r.minDelayMs ?? 500;
    const cap = r.maxDelayMs ?? 10_000;
    const base = Math.min(cap, min * 2 ** Math.min(this.attempt, 30));
    // Jitter: 50–100 % of the delay, so a fleet dropped at once does not come back at once.
    const delay = Math.round(base * (0.5 + 0.5 * this.rnd()));
    this.attempt++;
    this.stats.reconnects++;
    this.setState('waiting');
    this.timers.retry = setTimeout(() => {
      if (!this.stopping) this.connect();
    }, delay);
  }

  private finish(): void {
    clearTimeout(this.timers.retry);
    clearInterval(this.timers.tick);
    this.setState('stopped');
    const r = this.resolveClosed;
    this.resolveClosed = null;
    r?.();
  }

  private onData(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    const events = this.events;
    events.length = 0;
    this.driver.receive(chunk, events);
    for (let i = 0; i < events.length; i++) this.handle(events[i]!);
    events.length = 0;
  }

  private handle(e: DriverEvent): void {
    switch (e.type) {
      case 'ack': {
        const p = this.pending.get(e.key);
        if (p === undefined) {
          this.error('IOTHUB_ERR_SIM_UNEXPECTED_ACK', `0x${ackKeyId(e.key).toString(16)}`);
          return;
        }
        this.pending.delete(e.key);
        if (p.optional) this.optionalAcksSeen = true;
        if (!e.ok) {
          // Register / auth refusals are counted by the login-failed event.
          if (DATA_KINDS.has(p.kind)) this.error('IOTHUB_ERR_SIM_NACK', `result ${e.result}`);
          return;
        }
        const ms = performance.now() - p.sentAt;
        this.stats.acked[p.kind]++;
        this.stats.latency.recordMs(ms);
        this.opts.hooks?.onAck?.(this, p.kind, p.serial, ms);
        return;
      }
      case 'send':
        this.write(e.out);
        return;
      case 'online':
        this.goOnline();
        return;
      case 'login-failed':
        this.error(e.code, e.detail);
        this.lossCounted = true;
        this.socket?.destroy();
        return;
      case 'command':
        this.stats.commands++;
        this.opts.hooks?.onCommand?.(this, e.id, e.command);
        return;
      case 'issue':
        this.error(e.code, e.detail);
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled driver event ${JSON.stringify(never)}`);
      }
    }
  }

  private goOnline(): void {
    clearTimeout(this.timers.login);
    this.attempt = 0;
    this.setState('online');
    const now = performance.now();
    this.lastTick = now;
    this.lastHeartbeat = now;
    this.lastSweep = now;
    this.due = 0;
    const rate = this.opts.rate ?? 1;
    // Often enough for the rate and for noticing ack timeouts in time.
    const period = Math.max(20, Math.min(rate > 0 ? 1000 / rate : 1000, this.sweepEvery()));
    clearInterval(this.timers.tick);
    this.timers.tick = setInterval(() => this.tick(), period);
    // The first location right away, as trackers do after login.
    if (rate > 0) this.sendLocation();
  }

  private tick(): void {
    if (this._state !== 'online') return;
    const now = performance.now();
    const dt = (now - this.lastTick) / 1000;
    this.lastTick = now;
    const o = this.opts;
    if (now - this.lastSweep >= this.sweepEvery()) this.sweep(now);
    const hb = o.heartbeatSeconds ?? 30;
    if (hb > 0 && now - this.lastHeartbeat >= hb * 1000) {
      this.lastHeartbeat = now;
      this.sendHeartbeat();
    }
    const rate = o.rate ?? 1;
    if (rate <= 0) return;
    this.due += rate * dt;
    // Never more than one second's worth at once (after a stalled event loop).
    let n = Math.min(Math.floor(this.due), Math.max(1, Math.ceil(rate)));
    this.due = Math.min(this.due - n, rate);
    while (n-- > 0 && this._state === 'online') this.sendLocation();
  }

  /** How often pending acks are checked for timeouts, ms. */
  private sweepEvery(): number {
    return Math.min(500, (this.opts.ackTimeoutMs ?? 10_000) / 2);
  }

  /** Count messages whose ack did not come within the ack timeout, and forget them. */
  private sweep(now: number): void {
    this.lastSweep = now;
    if (this.pending.size === 0) return;
    const limit = this.opts.ackTimeoutMs ?? 10_000;
    for (const [key, p] of this.pending) {
      if (now - p.sentAt >= limit) {
        this.pending.delete(key);
        if (!this.forgetOptional(p)) this.error('IOTHUB_ERR_SIM_ACK_TIMEOUT', p.kind);
      }
    }
  }

  /**
   * An optional ack that did not come while the server never sent one: the server does not ack
   * this kind; the message no longer counts as expecting an ack. True when so handled.
   */
  private forgetOptional(p: Pending): boolean {
    if (!p.optional || this.optionalAcksSeen) return false;
    this.stats.expectingAck--;
    return true;
  }

  private write(out: Outbound): boolean {
    const sock = this.socket;
    if (sock === null || sock.destroyed || !sock.writable) return false;
    if (DATA_KINDS.has(out.kind) && sock.writableLength > (this.opts.maxBufferedBytes ?? 256 * 1024)) {
      this.error('IOTHUB_ERR_SIM_BACKPRESSURE', out.kind);
      return false;
    }
    if (out.ackKey !== null) {
      this.pending.set(out.ackKey, {
        sentAt: performance.now(),
        kind: out.kind,
        serial: out.serial,
        optional: out.optionalAck === true,
      });
      this.stats.expectingAck++;
    }
    this.stats.sent[out.kind]++;
    this.stats.positions += out.positions;
    this.stats.bytesOut += out.frame.length;
    sock.write(out.frame);
    return true;
  }

  /** Send one location now (an alarm when `alarmEvery` says so). False when not online. */
  sendLocation(): boolean {
    if (this._state !== 'online') return false;
    const fix = this.track.next(Date.now());
    this.locations++;
    const o = this.opts;
    const every = o.alarmEvery ?? 0;
    const ok = this.write(this.driver.location(fix, every > 0 && this.locations % every === 0));
    const batchEvery = o.batchEvery ?? 0;
    if (batchEvery > 0) {
      const size = Math.max(1, o.batchSize ?? 5);
      this.recent.push(fix);
      if (this.recent.length > size) this.recent.shift();
      if (this.locations % batchEvery === 0) {
        const b = this.driver.batch(this.recent);
        if (b) this.write(b);
      }
    }
    return ok;
  }

  /** Send one alarm now. False when not online. */
  sendAlarm(): boolean {
    if (this._state !== 'online') return false;
    return this.write(this.driver.location(this.track.next(Date.now()), true));
  }

  /** Send one heartbeat now. False when not online. */
  sendHeartbeat(): boolean {
    if (this._state !== 'online') return false;
    return this.write(this.driver.heartbeat());
  }

  /** JT/T 808: send one 0x0704 batch of `size` positions now. False when not online or not JT/T 808. */
  sendBatch(size = this.opts.batchSize ?? 5): boolean {
    if (this._state !== 'online') return false;
    const fixes: Fix[] = [];
    for (let i = 0; i < Math.max(1, size); i++) fixes.push(this.track.next(Date.now()));
    const b = this.driver.batch(fixes);
    return b !== null && this.write(b);
  }

  /**
   * Stop: no new messages, wait up to `drainMs` for the acknowledgements still pending, close the
   * connection (FIN, then destroy after `closeTimeoutMs`), cancel any reconnection. Resolves once
   * the socket is closed.
   */
  async stop(options: { drainMs?: number; closeTimeoutMs?: number } = {}): Promise<void> {
    if (this._state === 'idle' || this._state === 'stopped') {
      this.setState('stopped');
      return;
    }
    if (this.stopping) return this.closed ?? undefined;
    clearInterval(this.timers.tick);
    const drainMs = options.drainMs ?? 0;
    if (drainMs > 0 && this.pending.size > 0 && this.socket !== null) {
      const deadline = performance.now() + drainMs;
      while (this.pending.size > 0 && this.socket !== null && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    this.stopping = true;
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.login);
    const sock = this.socket;
    if (sock === null) {
      this.finish();
      return;
    }
    sock.end();
    const force = setTimeout(() => sock.destroy(), options.closeTimeoutMs ?? 1000);
    await this.closed;
    clearTimeout(force);
  }
}
