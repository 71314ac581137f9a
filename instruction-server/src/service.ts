/**
 * The instruction service: the Jimi `sendInstruct` semantics on top of the router, independent of
 * HTTP (server.ts is the fastify shell). docs/api.md.
 *
 *  - sync (default): route the command, wait up to `timeOut`, answer with the Jimi envelope;
 *  - async (`sync=false`): answer at once, publish the outcome as an `instruct-result` event
 *    (`msgType` 1) that the push dispatcher posts to `/pushInstructResponse`;
 *  - `offlineFlag=true` and the device offline (300 / 301) or silent (600): store the command;
 *    when the device next logs in (a `session` login event on the bus) the stored commands are
 *    sent in order and each outcome is published as `instruct-result` `msgType` 2
 *    (→ `OFFLINE_CMD_PUSH_URL`).
 */
import { randomBytes } from 'node:crypto';
import {
  type Bus,
  type BusMessage,
  type BusSubscription,
  type DeviceProtocol,
  EVENT_VERSION,
  type RouteEntry,
  type RouteTable,
  topicFor,
  type UplinkEvent,
} from '@iothub/core';
import type { Router, RouterOutcome } from '@iothub/router';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { commandFor, FieldError, type PreparedCommand, prepareCommand, replyContent } from './commands.ts';
import type { ApiErrorCode } from './errors.ts';
import type { InstructRequest } from './request.ts';
import type { CommandStore, OfflineCommand } from './store.ts';

type Logger = pino.Logger;

/** Jimi `_code` values (jimi-iothub-interface.md §2.3). */
export const INSTRUCT_CODES = {
  OK: '100',
  INVALID: '200',
  OFFLINE: '300',
  NOT_REGISTERED: '301',
  BUSY: '302',
  NETWORK: '400',
  EXCEPTION: '500',
  TIMEOUT: '600',
} as const;

export type InstructCode = (typeof INSTRUCT_CODES)[keyof typeof INSTRUCT_CODES];

export interface InstructData {
  _code: InstructCode;
  _msg: string;
  _content: string;
  _imei: string;
  _proNo: number;
  _serverFlagId: string | number;
  _type: string;
  _language?: string;
  _time_out: number;
  /** Epoch ms when the API received the request. */
  _route_client_time: number;
  /** Epoch ms when the outcome was known. */
  _route_server_time: number;
  _gateId?: string;
  /** Our stable error code when `_code` is not 100 (not a Jimi field; extra fields are harmless). */
  _errorCode?: string;
}

export interface InstructEnvelope {
  code: number;
  msg: string;
  data: InstructData;
}

export const OFFLINE_CONVERTED_MSG =
  'The device is offline or timed out, and the command is converted to an offline command';

export interface InstructionServiceOptions {
  router: Router;
  routes: RouteTable;
  bus: Bus;
  store: CommandStore;
  topicPrefix: string;
  /** API instance id (the `gateId` of published `instruct-result` events). Default: random. */
  instanceId?: string;
  logger?: Logger;
  registry?: Registry;
  /** Offline commands expire after this long, s. */
  offlineTtlS: number;
  /** Offline commands stored per device at most. */
  offlinePerDevice: number;
  /** How long a device counts as known (301 vs 300) after its last login, ms. Default 30 days. */
  seenTtlMs?: number;
  /** Kafka consumer group for the `session` events. Default `<topicPrefix>-instruction-server`. */
  groupId?: string;
  /**
   * Read the `session` topic from its start when the consumer group is new (default false: from
   * now on). Tests with fresh topics set it so no login published before the group joined is missed.
   */
  sessionsFromBeginning?: boolean;
  /** JT/T 808 wire time zone for `yyMMddHHmmss` fields (minutes east of UTC, default 480). */
  timeOffsetMinutes?: number;
  /** After a login event, how long to wait for the device's route before delivering, ms. Default 5000. */
  loginRouteWaitMs?: number;
  now?: () => number;
}

interface ServiceMetrics {
  instructs: Counter<'code'>;
  offline: Counter<'event'>;
  published: Counter<'msgType' | 'result'>;
}

function metricsFor(registry: Registry): ServiceMetrics {
  const get = (n: string) => registry.getSingleMetric(n);
  return {
    instructs:
      (get('iothub_api_instructs_total') as Counter<'code'> | undefined) ??
      new Counter({
        name: 'iothub_api_instructs_total',
        help: 'sendInstruct outcomes by Jimi _code (100, 200, 300, 301, 302, 400, 500, 600)',
        labelNames: ['code'],
        registers: [registry],
      }),
    offline:
      (get('iothub_api_offline_commands_total') as Counter<'event'> | undefined) ??
      new Counter({
        name: 'iothub_api_offline_commands_total',
        help: 'Offline commands by event (stored, refused_full, delivered, requeued, expired, deleted)',
        labelNames: ['event'],
        registers: [registry],
      }),
    published:
      (get('iothub_api_instruct_results_published_total') as Counter<'msgType' | 'result'> | undefined) ??
      new Counter({
        name: 'iothub_api_instruct_results_published_total',
        help: 'instruct-result events published to the bus, by msgType (1 async, 2 offline) and result (ok, failed)',
        labelNames: ['msgType', 'result'],
        registers: [registry],
      }),
  };
}

export class InstructionService {
  readonly instanceId: string;
  readonly #o: InstructionServiceOptions;
  readonly #log: Logger;
  readonly #m: ServiceMetrics;
  readonly #now: () => number;
  #subscription: BusSubscription | null = null;
  /** Devices whose stored commands are being delivered now, and those that logged in again meanwhile. */
  readonly #delivering = new Set<string>();
  readonly #again = new Set<string>();
  /** Background work (async commands, deliveries) so close() can wait for it. */
  readonly #background = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: InstructionServiceOptions) {
    this.#o = options;
    this.instanceId = options.instanceId ?? `api-${randomBytes(6).toString('hex')}`;
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'instruction-service' });
    this.#m = metricsFor(options.registry ?? new Registry());
    this.#now = options.now ?? Date.now;
  }

  /** Start consuming login events (offline-command delivery, known devices). */
  async start(): Promise<void> {
    if (this.#subscription) return;
    this.#subscription = await this.#o.bus.subscribe({
      topics: [topicFor(this.#o.topicPrefix, 'session')],
      groupId: this.#o.groupId ?? `${this.#o.topicPrefix}-instruction-server`,
      fromBeginning: this.#o.sessionsFromBeginning ?? false,
      handler: async (batch) => this.#onSessions(batch),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#subscription?.close();
    this.#subscription = null;
    await Promise.allSettled([...this.#background]);
  }

  /** The outcome of one sendInstruct request, as the Jimi envelope. Never throws. */
  async sendInstruct(req: InstructRequest): Promise<InstructEnvelope> {
    const receivedAt = this.#now();
    let prepared: PreparedCommand;
    try {
      prepared = prepareCommand(req.proNo, req.cmdContent, this.#tz());
    } catch (err) {
      return this.#count(this.#invalid(req, receivedAt, err));
    }
    if (!req.sync) {
      // Answer now; the outcome is pushed. A device without a route is answered at once (nothing to wait for).
      let route: RouteEntry | null;
      try {
        route = await this.#o.routes.get(req.imei);
      } catch {
        route = null;
      }
      if (route === null) return this.#count(await this.#send(req, prepared, receivedAt));
      const protocol = route.protocol;
      this.#track(
        this.#send(req, prepared, receivedAt).then((env) => this.#publish(req.imei, 1, this.#count(env), protocol)),
      );
      // Not counted: the outcome is, when it is known.
      return this.#envelope(
        req,
        receivedAt,
        INSTRUCT_CODES.OK,
        'Command accepted; the device reply is pushed to /pushInstructResponse (msgType 1)',
        { gateId: route.gateId },
      );
    }
    return this.#count(await this.#send(req, prepared, receivedAt));
  }

  /** The device's stored offline commands (query API). */
  async listOffline(deviceImei: string): Promise<OfflineCommand[]> {
    return this.#o.store.list(deviceImei);
  }

  /** Delete the device's stored commands (all, or one by id); returns how many. */
  async deleteOffline(deviceImei: string, id?: string): Promise<number> {
    const n = await this.#o.store.remove(deviceImei, id);
    if (n > 0) this.#m.offline.inc({ event: 'deleted' }, n);
    return n;
  }

  // ------------------------------------------------------------------------------------------

  #tz(): { timeOffsetMinutes?: number } {
    return this.#o.timeOffsetMinutes === undefined ? {} : { timeOffsetMinutes: this.#o.timeOffsetMinutes };
  }

  #track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) =>
      this.#log.error({ err, code: 'IOTHUB_ERR_API_INTERNAL' }, 'background task failed'),
    );
    this.#background.add(q);
    void q.finally(() => this.#background.delete(q));
  }

  #count(env: InstructEnvelope): InstructEnvelope {
    this.#m.instructs.inc({ code: env.data._code });
    return env;
  }

  /** Route the command and turn the outcome into the envelope; store it offline when asked. */
  async #send(
    req: InstructRequest,
    prepared: PreparedCommand,
    receivedAt: number,
    storeOffline = true,
  ): Promise<InstructEnvelope> {
    let outcome: RouterOutcome;
    try {
      outcome = await this.#o.router.send(req.imei, (route) => commandFor(prepared, route.protocol, req.language), {
        timeoutMs: req.timeOutS * 1000,
      });
    } catch (err) {
      this.#log.error({ err, code: 'IOTHUB_ERR_API_INTERNAL', imei: req.imei }, 'router threw');
      return this.#envelope(req, receivedAt, INSTRUCT_CODES.EXCEPTION, 'Code execution exception', {
        errorCode: 'IOTHUB_ERR_API_INTERNAL',
      });
    }
    const env = await this.#fromOutcome(req, receivedAt, outcome);
    const c = env.data._code;
    if (
      storeOffline &&
      req.offlineFlag &&
      (c === INSTRUCT_CODES.OFFLINE || c === INSTRUCT_CODES.NOT_REGISTERED || c === INSTRUCT_CODES.TIMEOUT)
    ) {
      const stored = await this.#storeOffline(req, receivedAt);
      if (stored === true) env.msg = OFFLINE_CONVERTED_MSG;
      else env.msg = `${env.msg}; not stored as an offline command: ${stored}`;
    }
    return env;
  }

  async #storeOffline(req: InstructRequest, receivedAt: number): Promise<true | string> {
    const cmd: OfflineCommand = {
      id: `oc-${randomBytes(8).toString('hex')}`,
      deviceImei: req.imei,
      proNo: req.proNo,
      cmdContent: req.cmdContent,
      serverFlagId: req.serverFlagId,
      cmdType: req.cmdType,
      timeOutS: req.timeOutS,
      createdAt: receivedAt,
      expiresAt: this.#now() + this.#o.offlineTtlS * 1000,
    };
    if (req.platform !== undefined) cmd.platform = req.platform;
    if (req.requestId !== undefined) cmd.requestId = req.requestId;
    if (req.language !== undefined) cmd.language = req.language;
    try {
      if (!(await this.#o.store.add(cmd, this.#o.offlinePerDevice))) {
        this.#m.offline.inc({ event: 'refused_full' });
        this.#log.warn({ code: 'IOTHUB_ERR_API_OFFLINE_FULL', imei: req.imei }, 'offline command store full');
        return `IOTHUB_ERR_API_OFFLINE_FULL: ${this.#o.offlinePerDevice} commands already stored`;
      }
    } catch (err) {
      this.#log.error({ err, code: 'IOTHUB_ERR_API_STORE', imei: req.imei }, 'offline command not stored');
      return 'IOTHUB_ERR_API_STORE: offline-command store unavailable';
    }
    this.#m.offline.inc({ event: 'stored' });
    return true;
  }

  async #fromOutcome(req: InstructRequest, receivedAt: number, o: RouterOutcome): Promise<InstructEnvelope> {
    const extra: EnvelopeExtra = { errorCode: o.gatewayCode ?? o.code ?? undefined };
    if (o.route) extra.gateId = o.route.gateId;
    switch (o.status) {
      case 'replied': {
        const protocol = o.route?.protocol ?? 'jt808';
        const msgId = o.msgId ?? req.proNo;
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.OK, 'Command communication successful response', {
          ...extra,
          errorCode: undefined,
          content: replyContent(protocol, msgId, o.reply ?? {}),
          // Jimi answers carry no separate message id for text commands: `_proNo` stays 128.
          proNo: protocol === 'jt808' ? msgId : req.proNo,
        });
      }
      case 'sent':
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.OK, 'Command sent', { ...extra, errorCode: undefined });
      case 'offline': {
        if (o.code === 'IOTHUB_ERR_ROUTER_NO_ROUTE') {
          let known: DeviceProtocol | null = null;
          try {
            known = await this.#o.store.seen(req.imei);
          } catch {
            known = null;
          }
          if (known === null) {
            return this.#envelope(req, receivedAt, INSTRUCT_CODES.NOT_REGISTERED, 'Device not registered', extra);
          }
        }
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.OFFLINE, 'Device not online', extra);
      }
      case 'busy':
        return this.#envelope(
          req,
          receivedAt,
          INSTRUCT_CODES.BUSY,
          'Device busy: the previous command has not been answered yet',
          extra,
        );
      case 'timeout':
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.TIMEOUT, 'The device is offline or timed out', extra);
      case 'failed': {
        const g = o.gatewayCode;
        if (
          o.code === 'IOTHUB_ERR_ROUTER_COMMAND' ||
          g === 'IOTHUB_ERR_COMMAND_ENCODE' ||
          g === 'IOTHUB_ERR_COMMAND_UNSUPPORTED'
        ) {
          return this.#envelope(req, receivedAt, INSTRUCT_CODES.INVALID, `Invalid parameter: ${o.message}`, extra);
        }
        if (g === 'IOTHUB_ERR_COMMAND_OFFLINE') {
          return this.#envelope(req, receivedAt, INSTRUCT_CODES.OFFLINE, 'Device not online', extra);
        }
        if (o.code === 'IOTHUB_ERR_ROUTER_CLOSED') {
          return this.#envelope(
            req,
            receivedAt,
            INSTRUCT_CODES.EXCEPTION,
            `Code execution exception: ${o.message}`,
            extra,
          );
        }
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.NETWORK, `Network error: ${o.message}`, extra);
      }
      default: {
        const never: never = o.status;
        return this.#envelope(req, receivedAt, INSTRUCT_CODES.EXCEPTION, `unknown outcome ${String(never)}`, extra);
      }
    }
  }

  #invalid(req: InstructRequest, receivedAt: number, err: unknown): InstructEnvelope {
    const msg = err instanceof FieldError ? err.message : err instanceof Error ? err.message : String(err);
    const code: ApiErrorCode = 'IOTHUB_ERR_API_FIELD';
    this.#log.info({ code, imei: req.imei, proNo: req.proNo }, msg);
    return this.#envelope(req, receivedAt, INSTRUCT_CODES.INVALID, `Invalid parameter: ${msg}`, { errorCode: code });
  }

  #envelope(
    req: InstructRequest,
    receivedAt: number,
    code: InstructCode,
    msg: string,
    extra: EnvelopeExtra = {},
  ): InstructEnvelope {
    const data: InstructData = {
      _code: code,
      _msg: msg,
      _content: extra.content ?? '',
      _imei: req.imei,
      _proNo: extra.proNo ?? req.proNo,
      _serverFlagId: req.serverFlagId,
      _type: req.cmdType,
      _time_out: req.timeOutS,
      _route_client_time: receivedAt,
      _route_server_time: this.#now(),
    };
    if (req.language !== undefined) data._language = req.language;
    if (extra.gateId !== undefined) data._gateId = extra.gateId;
    if (extra.errorCode !== undefined && code !== INSTRUCT_CODES.OK) data._errorCode = extra.errorCode;
    return { code: 0, msg: 'success', data };
  }

  /** Publish an `instruct-result` event (docs/events.md); failures are logged and counted, never thrown. */
  async #publish(imei: string, msgType: 1 | 2, response: InstructEnvelope, protocol: DeviceProtocol): Promise<void> {
    const event: UplinkEvent = {
      v: EVENT_VERSION,
      id: `${this.instanceId}-${msgType}-${randomBytes(8).toString('hex')}`,
      kind: 'instruct-result',
      deviceImei: imei,
      protocol,
      gateId: this.instanceId,
      connId: '',
      receivedAt: new Date(this.#now()).toISOString(),
      msgId: response.data._proNo,
      type: 'instruct-result',
      data: { msgType, response },
    };
    try {
      await this.#o.bus.publish([
        {
          topic: topicFor(this.#o.topicPrefix, 'instruct-result'),
          key: imei,
          value: Buffer.from(JSON.stringify(event)),
        },
      ]);
      this.#m.published.inc({ msgType: String(msgType), result: 'ok' });
    } catch (err) {
      this.#m.published.inc({ msgType: String(msgType), result: 'failed' });
      this.#log.error({ err, code: 'IOTHUB_ERR_API_STORE', imei, msgType }, 'instruct-result not published');
    }
  }

  // ------------------------------------------------------------------------------------------
  // Logins: known devices, offline-command delivery

  async #onSessions(batch: BusMessage[]): Promise<void> {
    for (const m of batch) {
      let e: Partial<UplinkEvent>;
      try {
        e = JSON.parse(m.value.toString('utf8')) as Partial<UplinkEvent>;
      } catch {
        continue;
      }
      const d = (e.data ?? {}) as Record<string, unknown>;
      const login = d.state === 'login' || d.action === 'login';
      if (!login || typeof e.deviceImei !== 'string') continue;
      const protocol: DeviceProtocol = e.protocol === 'jimi' ? 'jimi' : 'jt808';
      try {
        await this.#o.store.markSeen(e.deviceImei, protocol, this.#o.seenTtlMs ?? 30 * 86_400_000);
      } catch (err) {
        this.#log.warn({ err, code: 'IOTHUB_ERR_API_STORE', imei: e.deviceImei }, 'device not marked seen');
      }
      // Delivery runs beside the consumer: a slow device must not hold up other devices' logins.
      if (!this.#closed) this.#track(this.#deliverAfterLogin(e.deviceImei));
    }
  }

  async #deliverAfterLogin(imei: string): Promise<void> {
    if (this.#delivering.has(imei)) {
      this.#again.add(imei);
      return;
    }
    this.#delivering.add(imei);
    try {
      do {
        this.#again.delete(imei);
        await this.#deliver(imei);
      } while (this.#again.has(imei) && !this.#closed);
    } finally {
      this.#delivering.delete(imei);
    }
  }

  async #deliver(imei: string): Promise<void> {
    if ((await this.#o.store.list(imei)).length === 0) return;
    // The login event can arrive before the gateway's route claim lands: wait for the route.
    const until = this.#now() + (this.#o.loginRouteWaitMs ?? 5000);
    let route = await this.#o.routes.get(imei);
    while (route === null && this.#now() < until && !this.#closed) {
      await new Promise((r) => setTimeout(r, 50));
      route = await this.#o.routes.get(imei);
    }
    if (route === null || this.#closed) return;
    const commands = await this.#o.store.take(imei);
    let busyRetries = 0;
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i] as OfflineCommand;
      if (cmd.expiresAt <= this.#now()) {
        this.#m.offline.inc({ event: 'expired' });
        this.#log.info({ code: 'IOTHUB_ERR_API_OFFLINE_EXPIRED', imei, id: cmd.id }, 'offline command expired');
        continue;
      }
      const req: InstructRequest = {
        imei,
        cmdContent: cmd.cmdContent,
        serverFlagId: cmd.serverFlagId,
        proNo: cmd.proNo,
        cmdType: cmd.cmdType,
        sync: true,
        offlineFlag: false,
        timeOutS: cmd.timeOutS,
      };
      if (cmd.language !== undefined) req.language = cmd.language;
      let env: InstructEnvelope;
      try {
        env = await this.#send(req, prepareCommand(cmd.proNo, cmd.cmdContent, this.#tz()), this.#now(), false);
      } catch (err) {
        env = this.#invalid(req, this.#now(), err);
      }
      const c = env.data._code;
      if (c === INSTRUCT_CODES.BUSY && busyRetries < 20 && !this.#closed) {
        // An online command is in flight: this one waits for it (bounded), in order.
        busyRetries++;
        i--;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (c === INSTRUCT_CODES.OFFLINE || c === INSTRUCT_CODES.NOT_REGISTERED || c === INSTRUCT_CODES.BUSY) {
        // The device left again (or is busy): keep this and the rest for its next login.
        const rest = commands.slice(i).filter((x) => x.expiresAt > this.#now());
        await this.#o.store.putBack(imei, rest);
        this.#m.offline.inc({ event: 'requeued' }, rest.length);
        return;
      }
      this.#m.offline.inc({ event: 'delivered' });
      this.#count(env);
      await this.#publish(imei, 2, env, route.protocol);
    }
  }
}

interface EnvelopeExtra {
  content?: string;
  proNo?: number;
  gateId?: string;
  errorCode?: string | undefined;
}
