/**
 * The downlink router (issue #4, docs/router.md): finds the gateway that holds a device (route
 * table), sends it the command over the control channel, and resolves with the device's answer or
 * a failure, whichever gateway process holds the device and whichever router instance asked.
 *
 * Lifecycle of one command (every path ends in exactly one outcome, never a silent loss):
 *
 *   route lookup ─ none ─────────────────────────────────────────────► offline (NO_ROUTE)
 *        │
 *   take a device slot (DeviceLock) ─ all taken ──────────────────────► busy
 *        │
 *   control.send(gateId, command{commandId, replyTo: this.address, deadline}) ─ fails ─► failed (TRANSPORT)
 *        │
 *   wait for the first of:
 *     command-result from the gateway ── replied / offline / busy / timeout / failed
 *     the timer (timeoutMs) ───────────── timeout
 *     the gateway's liveness key gone ─── failed (GATEWAY_GONE), checked every `gateCheckMs`
 *     close() ─────────────────────────── failed (CLOSED)
 *        │
 *   release the slot, count the outcome
 *
 * No globals: two routers, several gateways and one in-memory channel live in one test process.
 */
import { randomBytes } from 'node:crypto';
import type {
  CommandResult,
  ControlChannel,
  ControlMessage,
  DownlinkCommand,
  RouteEntry,
  RouteTable,
} from '@iothub/core';
import { pino } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ROUTER_ERROR_CODES, type RouterErrorCode } from './errors.ts';
import type { DeviceLock } from './lock.ts';

type Logger = pino.Logger;

export type RouterStatus = 'replied' | 'sent' | 'offline' | 'busy' | 'timeout' | 'failed';

export interface RouterOutcome {
  status: RouterStatus;
  /** null for `replied` / `sent`; otherwise why it did not get an answer. */
  code: RouterErrorCode | null;
  message: string;
  commandId: string;
  /** The route the command went to (null when there was none). */
  route: RouteEntry | null;
  /** `replied`: the device's answer (JSON form of the decoded message). */
  reply?: Record<string, unknown>;
  /** `replied`: the answering message id (JT/T 808 0x0001 …, Jimi 0x21 / 0x15). */
  msgId?: number;
  /** `replied`: when the gateway received the answer (ISO 8601). */
  receivedAt?: string;
  /** `failed` by the gateway: its own code (IOTHUB_ERR_COMMAND_ENCODE …). */
  gatewayCode?: string;
}

export interface RouterOptions {
  routes: RouteTable;
  control: ControlChannel;
  lock: DeviceLock;
  /** This instance's id; its control address is `router:<instanceId>`. Default: random. */
  instanceId?: string;
  logger?: Logger;
  /** Metrics go here (default: a private registry). */
  registry?: Registry;
  /** Outstanding commands per device across all instances (default 1: a second one is `busy`). */
  maxOutstandingPerDevice?: number;
  /** How often a pending command checks that its gateway is still alive, ms (default 1000). */
  gateCheckMs?: number;
  /** Extra lease on a device slot beyond the command's timeout, ms (default 5000). */
  slotGraceMs?: number;
  /** Epoch ms clock (default `Date.now`). */
  now?: () => number;
}

export interface SendOptions {
  /** How long to wait for the device's answer, ms. */
  timeoutMs: number;
  /** Correlation id (default: generated); must be unique among this instance's pending commands. */
  commandId?: string;
}

interface Pending {
  deviceImei: string;
  route: RouteEntry;
  startedAt: number;
  timer: NodeJS.Timeout;
  gateTimer: NodeJS.Timeout | null;
  resolve: (outcome: RouterOutcome) => void;
}

interface RouterMetrics {
  commands: Counter<'outcome'>;
  duration: Histogram<'outcome'>;
  pending: Gauge;
}

function metricsFor(registry: Registry): RouterMetrics {
  const existing = registry.getSingleMetric('iothub_router_commands_total');
  if (existing) {
    return {
      commands: existing as Counter<'outcome'>,
      duration: registry.getSingleMetric('iothub_router_command_duration_seconds') as Histogram<'outcome'>,
      pending: registry.getSingleMetric('iothub_router_pending_commands') as Gauge,
    };
  }
  return {
    commands: new Counter({
      name: 'iothub_router_commands_total',
      help: 'Downlink commands by outcome (replied, sent, offline, busy, timeout, failed) and error code',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'iothub_router_command_duration_seconds',
      help: 'Time from routing a command to its outcome, by outcome',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'iothub_router_pending_commands',
      help: 'Commands sent and waiting for their outcome on this router instance',
      registers: [registry],
    }),
  };
}

export class Router {
  readonly instanceId: string;
  /** The control-channel address results come back to. */
  readonly address: string;
  readonly #o: Required<Omit<RouterOptions, 'logger' | 'registry' | 'instanceId'>>;
  readonly #log: Logger;
  readonly #metrics: RouterMetrics;
  readonly #pending = new Map<string, Pending>();
  #seq = 0;
  #unlisten: (() => Promise<void>) | null = null;
  #closed = false;

  constructor(options: RouterOptions) {
    this.instanceId = options.instanceId ?? `r-${randomBytes(6).toString('hex')}`;
    this.address = `router:${this.instanceId}`;
    this.#o = {
      routes: options.routes,
      control: options.control,
      lock: options.lock,
      maxOutstandingPerDevice: options.maxOutstandingPerDevice ?? 1,
      gateCheckMs: options.gateCheckMs ?? 1000,
      slotGraceMs: options.slotGraceMs ?? 5000,
      now: options.now ?? Date.now,
    };
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'router', router: this.instanceId });
    this.#metrics = metricsFor(options.registry ?? new Registry());
  }

  /** Listen for results on `address`. Call before `send`. */
  async start(): Promise<void> {
    if (this.#unlisten) return;
    this.#unlisten = await this.#o.control.listen(this.address, (m) => this.#onControl(m));
  }

  /** Commands waiting for their outcome on this instance. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Route one command to the device; resolves with its outcome, never rejects. */
  async send(
    deviceImei: string,
    command: DownlinkCommand | ((route: RouteEntry) => DownlinkCommand),
    options: SendOptions,
  ): Promise<RouterOutcome> {
    const commandId = options.commandId ?? `${this.instanceId}-${++this.#seq}`;
    const startedAt = this.#o.now();
    const done = (o: RouterOutcome): RouterOutcome => {
      this.#count(o, startedAt);
      return o;
    };
    if (this.#closed) return done(fail(commandId, null, 'failed', 'IOTHUB_ERR_ROUTER_CLOSED'));
    if (!this.#unlisten) await this.start();

    // Route lookup and slot acquisition in parallel (one Redis round trip instead of two); a slot
    // taken for a device without a route, or a command that cannot be built, is given back at once.
    const [routeR, slotR] = await Promise.allSettled([
      this.#o.routes.get(deviceImei),
      this.#o.lock.acquire(
        deviceImei,
        commandId,
        this.#o.maxOutstandingPerDevice,
        options.timeoutMs + this.#o.slotGraceMs,
      ),
    ]);
    const giveBack = () => {
      if (slotR.status === 'fulfilled' && slotR.value) this.#release(deviceImei, commandId);
    };
    if (routeR.status === 'rejected') {
      giveBack();
      this.#log.warn(
        { err: routeR.reason, code: 'IOTHUB_ERR_ROUTER_TRANSPORT', imei: deviceImei },
        'route lookup failed',
      );
      return done(fail(commandId, null, 'failed', 'IOTHUB_ERR_ROUTER_TRANSPORT', 'route table unavailable'));
    }
    const route = routeR.value;
    if (route === null) {
      giveBack();
      return done(fail(commandId, null, 'offline', 'IOTHUB_ERR_ROUTER_NO_ROUTE'));
    }
    let built: DownlinkCommand;
    try {
      built = typeof command === 'function' ? command(route) : command;
    } catch (err) {
      giveBack();
      const why = err instanceof Error ? err.message : String(err);
      return done(fail(commandId, route, 'failed', 'IOTHUB_ERR_ROUTER_COMMAND', why));
    }
    if (slotR.status === 'rejected') {
      this.#log.warn(
        { err: slotR.reason, code: 'IOTHUB_ERR_ROUTER_TRANSPORT', imei: deviceImei },
        'device slot store failed',
      );
      return done(fail(commandId, route, 'failed', 'IOTHUB_ERR_ROUTER_TRANSPORT', 'device slot store unavailable'));
    }
    if (!slotR.value) return done(fail(commandId, route, 'busy', 'IOTHUB_ERR_ROUTER_BUSY'));

    const r = route;
    const outcome = new Promise<RouterOutcome>((resolve) => {
      const timer = setTimeout(
        () => this.#finish(commandId, fail(commandId, r, 'timeout', 'IOTHUB_ERR_ROUTER_TIMEOUT')),
        options.timeoutMs,
      );
      const gateTimer =
        this.#o.gateCheckMs > 0 && this.#o.gateCheckMs < options.timeoutMs
          ? setInterval(() => void this.#checkGate(commandId), this.#o.gateCheckMs)
          : null;
      this.#pending.set(commandId, { deviceImei, route: r, startedAt, timer, gateTimer, resolve });
    });
    this.#metrics.pending.set(this.#pending.size);
    const message: ControlMessage = {
      type: 'command',
      commandId,
      deviceImei,
      replyTo: this.address,
      deadline: startedAt + options.timeoutMs,
      command: built,
    };
    this.#o.control.send(r.gateId, message).catch((err: unknown) => {
      this.#log.warn(
        { err, code: 'IOTHUB_ERR_ROUTER_TRANSPORT', imei: deviceImei, gateId: r.gateId },
        'command send failed',
      );
      this.#finish(
        commandId,
        fail(commandId, r, 'failed', 'IOTHUB_ERR_ROUTER_TRANSPORT', 'control channel unavailable'),
      );
    });
    return outcome;
  }

  /** Stop listening; every pending command ends with `IOTHUB_ERR_ROUTER_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, p] of [...this.#pending]) this.#finish(id, fail(id, p.route, 'failed', 'IOTHUB_ERR_ROUTER_CLOSED'));
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    if (unlisten) await unlisten().catch(() => {});
  }

  #onControl(m: ControlMessage): void {
    if (m.type !== 'command-result') return;
    const p = this.#pending.get(m.commandId);
    if (!p) {
      // A late answer (after the timeout) or one for another incarnation of this instance.
      this.#log.debug({ code: 'IOTHUB_ERR_ROUTER_TIMEOUT', commandId: m.commandId }, 'result for no pending command');
      return;
    }
    this.#finish(m.commandId, fromResult(m.commandId, p.route, m.result));
  }

  async #checkGate(commandId: string): Promise<void> {
    const p = this.#pending.get(commandId);
    if (!p) return;
    let alive: boolean;
    try {
      alive = await this.#o.routes.isGateAlive(p.route.gateId);
    } catch {
      return; // the route table is unreachable: the timeout still ends the command
    }
    if (!alive) {
      this.#log.warn(
        { code: 'IOTHUB_ERR_ROUTER_GATEWAY_GONE', imei: p.deviceImei, gateId: p.route.gateId },
        'gateway gone',
      );
      this.#finish(commandId, fail(commandId, p.route, 'failed', 'IOTHUB_ERR_ROUTER_GATEWAY_GONE'));
    }
  }

  #finish(commandId: string, outcome: RouterOutcome): void {
    const p = this.#pending.get(commandId);
    if (!p) return;
    this.#pending.delete(commandId);
    clearTimeout(p.timer);
    if (p.gateTimer) clearInterval(p.gateTimer);
    this.#metrics.pending.set(this.#pending.size);
    this.#release(p.deviceImei, commandId);
    this.#count(outcome, p.startedAt);
    p.resolve(outcome);
  }

  #release(deviceImei: string, commandId: string): void {
    this.#o.lock.release(deviceImei, commandId).catch((err: unknown) => {
      // the slot's lease ends it anyway
      this.#log.warn({ err, code: 'IOTHUB_ERR_ROUTER_TRANSPORT', imei: deviceImei }, 'device slot release failed');
    });
  }

  #count(o: RouterOutcome, startedAt: number): void {
    const label = o.code ?? o.status;
    this.#metrics.commands.inc({ outcome: label });
    this.#metrics.duration.observe({ outcome: o.status }, Math.max(0, this.#o.now() - startedAt) / 1000);
    if (o.code !== null && o.status !== 'busy' && o.status !== 'offline') {
      this.#log.info({ code: o.code, commandId: o.commandId, gatewayCode: o.gatewayCode }, o.message);
    }
  }
}

function fail(
  commandId: string,
  route: RouteEntry | null,
  status: Exclude<RouterStatus, 'replied' | 'sent'>,
  code: RouterErrorCode,
  message: string = ROUTER_ERROR_CODES[code],
): RouterOutcome {
  return { status, code, message, commandId, route };
}

function fromResult(commandId: string, route: RouteEntry, r: CommandResult): RouterOutcome {
  switch (r.status) {
    case 'replied':
      return {
        status: 'replied',
        code: null,
        message: 'device answered',
        commandId,
        route,
        reply: r.reply,
        msgId: r.msgId,
        receivedAt: r.receivedAt,
      };
    case 'sent':
      return { status: 'sent', code: null, message: 'sent to the device', commandId, route };
    case 'offline':
      return fail(commandId, route, 'offline', 'IOTHUB_ERR_ROUTER_DEVICE_OFFLINE');
    case 'busy':
      return fail(
        commandId,
        route,
        'busy',
        'IOTHUB_ERR_ROUTER_BUSY',
        'the device connection has too many pending commands',
      );
    case 'timeout':
      return fail(commandId, route, 'timeout', 'IOTHUB_ERR_ROUTER_TIMEOUT');
    case 'failed':
      return {
        ...fail(commandId, route, 'failed', 'IOTHUB_ERR_ROUTER_GATEWAY_FAILED', `${r.code}: ${r.message}`),
        gatewayCode: r.code,
      };
    default: {
      const never: never = r;
      return fail(
        commandId,
        route,
        'failed',
        'IOTHUB_ERR_ROUTER_GATEWAY_FAILED',
        `unknown result ${JSON.stringify(never)}`,
      );
    }
  }
}
