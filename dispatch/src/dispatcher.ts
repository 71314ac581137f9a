/**
 * The push dispatcher: consumes uplink events from the bus and delivers them to the SaaS push
 * URLs, at least once (docs/push.md).
 *
 * Flow: the bus hands a batch (one partition) to `handle`; every event is parsed and mapped (Jimi
 * profile: to an endpoint record; JSON profile: the event as is) and queued on the lane of its
 * device (`hash(deviceImei) % concurrency`). Each lane sends one request at a time — the longest
 * run of queued records for the same URL, at most `batchSize` — and only moves on once that
 * request succeeded or its records were dead-lettered. So:
 *
 *  - per-device order holds, also across retries: a device's later record never overtakes an
 *    earlier failing one (same lane, one request at a time);
 *  - different devices go in parallel: at most `concurrency` requests in flight;
 *  - `handle` resolves only once every record of its batch is delivered or dead-lettered, and the
 *    bus commits the offsets only then (at-least-once). While stopping, `handle` rejects: the batch
 *    is not committed and is delivered again after the restart (duplicates, never losses).
 *
 * Failures: retried with exponential backoff and jitter (`backoffMinMs` doubling up to
 * `backoffMaxMs`); after `retryBudgetMs` since the first failure the records go to
 * `<prefix>.push.dlq` with the reason. A circuit breaker per destination stops all lanes while the
 * receiver is down and lets one probe through now and then; when it succeeds everyone resumes.
 */
import {
  type Bus,
  type BusMessage,
  type BusRecord,
  type BusSubscription,
  EVENT_KINDS,
  type EventKind,
  type IothubConfig,
  type Logger,
  type PushProfile,
  type UplinkEvent,
} from '@iothub/core';
import type { Registry } from 'prom-client';
import { type BreakerState, CircuitBreaker, type FailureReason } from './breaker.ts';
import { DispatchError, type DispatchErrorCode } from './errors.ts';
import { JIMI_KINDS, type JimiRecord, jimiTime, mapJimi } from './jimi/index.ts';
import { createDispatchMetrics, type DispatchMetrics } from './metrics.ts';
import { HttpSender, type SendResult } from './sender.ts';

export interface DispatcherOptions {
  bus: Bus;
  topicPrefix: string;
  groupId: string;
  /**
   * Base URL (`/pushgps` … appended); JSON profile: events go to `<pushUrl>/events`. null: only
   * offline-command results are pushed (to `offlineCmdPushUrl`).
   */
  pushUrl: string | null;
  pushToken: string | null;
  offlineCmdPushUrl: string | null;
  offlineCmdPushToken: string | null;
  profile: PushProfile;
  batchSize: number;
  concurrency: number;
  retryBudgetMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  breakerFailures: number;
  breakerOpenMs: number;
  requestTimeoutMs: number;
  hmacSecret: string | null;
  registry: Registry;
  logger: Logger;
  /** Start from the earliest retained record when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Jitter source (tests). */
  random?: () => number;
}

/** Dispatcher options from the configuration (`config.dispatch`, PUSH_URL …). */
export function dispatcherOptionsFrom(
  config: IothubConfig,
  deps: { bus: Bus; registry: Registry; logger: Logger },
): DispatcherOptions {
  if (config.pushUrl === null && config.offlineCmdPushUrl === null)
    throw new TypeError('neither PUSH_URL nor OFFLINE_CMD_PUSH_URL is set: nothing to dispatch to');
  const d = config.dispatch;
  return {
    ...deps,
    topicPrefix: config.topicPrefix,
    groupId: d.groupId,
    pushUrl: config.pushUrl,
    pushToken: config.pushToken,
    offlineCmdPushUrl: config.offlineCmdPushUrl,
    offlineCmdPushToken: config.offlineCmdPushToken,
    profile: d.profile,
    batchSize: d.batchSize,
    concurrency: d.concurrency,
    retryBudgetMs: d.retryBudgetMs,
    backoffMinMs: d.backoffMinMs,
    backoffMaxMs: d.backoffMaxMs,
    breakerFailures: d.breakerFailures,
    breakerOpenMs: d.breakerOpenMs,
    requestTimeoutMs: d.requestTimeoutMs,
    hmacSecret: d.hmacSecret,
  };
}

/** Where one request goes: a URL plus the form fields that must be equal for records to share it. */
interface Target {
  url: URL;
  /** Metric label: `pushgps`, …, `offline`, `events`. */
  endpoint: string;
  token: string | null;
  /** Form fields before `data_list` (`token=…&msgType=2&`), pre-encoded. */
  formPrefix: string;
  breaker: CircuitBreaker;
  breakerName: 'push' | 'offline';
}

/** Counts the records of one `handle` call still under way. */
class Tracker {
  remaining = 0;
  #resolve!: () => void;
  #reject!: (e: Error) => void;
  #settled = false;
  readonly promise: Promise<void>;
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }
  done(n: number): void {
    this.remaining -= n;
    if (this.remaining === 0 && !this.#settled) {
      this.#settled = true;
      this.#resolve();
    }
  }
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
  /** All records were queued: resolves at once when there were none. */
  seal(): Promise<void> {
    if (this.remaining === 0 && !this.#settled) {
      this.#settled = true;
      this.#resolve();
    }
    return this.promise;
  }
}

interface Item {
  msg: BusMessage;
  event: UplinkEvent;
  /** Jimi: the `data_list` element; JSON: the event's JSON text. */
  record: unknown;
  target: Target;
  tracker: Tracker;
}

interface Lane {
  queue: Item[];
  head: number;
  running: boolean;
}

export interface DispatcherHealth {
  status: 'ok' | 'degraded';
  breakers: Record<string, BreakerState>;
  pendingRecords: number;
  deliveredRecords: number;
  deadLetteredRecords: number;
  lastDeliveryAt: string | null;
  busReady: boolean;
}

const DLQ_SUFFIX = 'push.dlq';

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #metrics: DispatchMetrics;
  readonly #sender: HttpSender;
  readonly #lanes: Lane[] = [];
  readonly #targets = new Map<string, Target>();
  readonly #breakers: Record<'push' | 'offline', CircuitBreaker>;
  readonly #random: () => number;
  readonly #stopWaiters = new Set<() => void>();
  readonly #dlqTopic: string;
  #subscription: BusSubscription | undefined;
  #stopping = false;
  #pending = 0;
  #delivered = 0;
  #deadLettered = 0;
  #lastDeliveryAt: number | null = null;
  #closed: Promise<void> | undefined;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#metrics = createDispatchMetrics(options.registry);
    this.#sender = new HttpSender({
      maxSockets: options.concurrency,
      timeoutMs: options.requestTimeoutMs,
      hmacSecret: options.hmacSecret,
    });
    this.#random = options.random ?? Math.random;
    this.#dlqTopic = `${options.topicPrefix}.${DLQ_SUFFIX}`;
    for (let i = 0; i < options.concurrency; i++) this.#lanes.push({ queue: [], head: 0, running: false });
    const breaker = (name: 'push' | 'offline') => {
      const gauge = this.#metrics.breakerState.labels(name);
      gauge.set(0);
      return new CircuitBreaker({
        threshold: options.breakerFailures,
        openMs: options.breakerOpenMs,
        maxOpenMs: Math.max(options.breakerOpenMs, options.backoffMaxMs),
        onChange: (state) => {
          gauge.set(state === 'closed' ? 0 : state === 'open' ? 1 : 2);
          const log = { code: state === 'closed' ? undefined : 'IOTHUB_ERR_PUSH_BREAKER', target: name, state };
          if (state === 'open') options.logger.warn(log, 'push circuit breaker open: backing off');
          else options.logger.info(log, `push circuit breaker ${state}`);
        },
      });
    };
    this.#breakers = { push: breaker('push'), offline: breaker('offline') };
  }

  /** The event topics consumed (profile-dependent). */
  get topics(): string[] {
    // without PUSH_URL only the offline-command results have somewhere to go
    const kinds: readonly EventKind[] =
      this.#o.pushUrl === null ? ['instruct-result'] : this.#o.profile === 'json' ? EVENT_KINDS : JIMI_KINDS;
    return kinds.map((k) => `${this.#o.topicPrefix}.${k}`);
  }

  get dlqTopic(): string {
    return this.#dlqTopic;
  }

  /** Subscribe to the bus and start delivering. */
  async start(): Promise<void> {
    if (this.#subscription !== undefined) return;
    this.#subscription = await this.#o.bus.subscribe({
      topics: this.topics,
      groupId: this.#o.groupId,
      fromBeginning: this.#o.fromBeginning ?? true,
      handler: (batch) => this.handle(batch),
    });
  }

  health(): DispatcherHealth {
    const breakers = { push: this.#breakers.push.state, offline: this.#breakers.offline.state };
    const busReady = this.#o.bus.isReady();
    return {
      status: busReady && breakers.push === 'closed' && breakers.offline === 'closed' ? 'ok' : 'degraded',
      breakers,
      pendingRecords: this.#pending,
      deliveredRecords: this.#delivered,
      deadLetteredRecords: this.#deadLettered,
      lastDeliveryAt: this.#lastDeliveryAt === null ? null : new Date(this.#lastDeliveryAt).toISOString(),
      busReady,
    };
  }

  /**
   * The bus handler: resolves once every record of the batch is delivered or dead-lettered; rejects
   * (nothing committed) when the dispatcher stops first.
   */
  async handle(batch: BusMessage[]): Promise<void> {
    if (this.#stopping) throw new DispatchError('IOTHUB_ERR_PUSH_STOPPING');
    const tracker = new Tracker();
    let bad: { msg: BusMessage; event: unknown; code: DispatchErrorCode; detail: string }[] | undefined;
    const started: Lane[] = [];
    for (const msg of batch) {
      let event: UplinkEvent;
      try {
        event = parseEvent(msg.value);
      } catch (err) {
        bad ??= [];
        bad.push({ msg, event: msg.value.toString('utf8'), code: 'IOTHUB_ERR_PUSH_BAD_EVENT', detail: errText(err) });
        continue;
      }
      let mapped: { target: Target; record: unknown } | { skip: string };
      try {
        mapped = this.#map(event, msg);
      } catch (err) {
        const code = err instanceof DispatchError ? err.code : 'IOTHUB_ERR_PUSH_MAPPING';
        bad ??= [];
        bad.push({ msg, event, code, detail: errText(err) });
        continue;
      }
      if ('skip' in mapped) {
        this.#metrics.skippedTotal.labels(event.kind).inc();
        continue;
      }
      const lane = this.#lanes[laneOf(msg.key || event.deviceImei, this.#lanes.length)] as Lane;
      lane.queue.push({ msg, event, record: mapped.record, target: mapped.target, tracker });
      tracker.remaining++;
      if (!lane.running) {
        lane.running = true;
        started.push(lane);
      }
    }
    this.#pending += tracker.remaining;
    this.#metrics.pendingRecords.set(this.#pending);
    for (const lane of started) void this.#pump(lane);
    const waits: Promise<unknown>[] = [tracker.seal()];
    if (bad !== undefined) waits.push(this.#deadLetterBad(bad));
    await Promise.all(waits);
  }

  /** Stop: no new batches; requests in flight finish; undelivered batches stay uncommitted. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    for (const w of [...this.#stopWaiters]) w();
    this.#stopWaiters.clear();
    for (const lane of this.#lanes) if (!lane.running) this.#abandon(lane);
    await this.#subscription?.close();
    // lanes still sending finish their request, then abandon the rest
    while (this.#lanes.some((l) => l.running)) await sleepMs(10);
    this.#sender.close();
  }

  // ---- mapping ----

  #map(event: UplinkEvent, msg: BusMessage): { target: Target; record: unknown } | { skip: string } {
    const o = this.#o;
    if (o.profile === 'json' && o.pushUrl !== null) {
      return {
        target: this.#target('events', `${o.pushUrl}/events`, o.pushToken, '', 'push'),
        record: msg.value.toString('utf8'),
      };
    }
    const r: JimiRecord | { skip: string } = mapJimi(event);
    if ('skip' in r) return r;
    if (r.destination.kind === 'offline') {
      if (o.offlineCmdPushUrl === null) return { skip: 'instruct-result-offline' };
      return {
        target: this.#target('offline', o.offlineCmdPushUrl, o.offlineCmdPushToken, formFields(r.form), 'offline'),
        record: r.record,
      };
    }
    if (o.pushUrl === null) return { skip: 'push-url-unset' };
    const ep = r.destination.endpoint;
    return {
      target: this.#target(ep.slice(1), `${o.pushUrl}${ep}`, o.pushToken, formFields(r.form), 'push'),
      record: r.record,
    };
  }

  #target(endpoint: string, url: string, token: string | null, form: string, breakerName: 'push' | 'offline'): Target {
    const key = `${url}\n${form}`;
    let t = this.#targets.get(key);
    if (t === undefined) {
      const formPrefix = `token=${encodeURIComponent(token ?? '')}&${form}`;
      t = { url: new URL(url), endpoint, token, formPrefix, breaker: this.#breakers[breakerName], breakerName };
      this.#targets.set(key, t);
    }
    return t;
  }

  // ---- delivery ----

  async #pump(lane: Lane): Promise<void> {
    try {
      while (lane.head < lane.queue.length && !this.#stopping) {
        const first = lane.queue[lane.head] as Item;
        const target = first.target;
        let end = lane.head + 1;
        const limit = Math.min(lane.queue.length, lane.head + this.#o.batchSize);
        while (end < limit && (lane.queue[end] as Item).target === target) end++;
        const items = lane.queue.slice(lane.head, end);
        const finished = await this.#deliver(items, target);
        if (!finished) break;
        lane.head = end;
        if (lane.head === lane.queue.length) {
          lane.queue = [];
          lane.head = 0;
        } else if (lane.head > 4096) {
          lane.queue = lane.queue.slice(lane.head);
          lane.head = 0;
        }
        this.#pending -= items.length;
        this.#metrics.pendingRecords.set(this.#pending);
        completeItems(items);
      }
    } catch (err) {
      // a bug in this loop must not lose records silently: fail the batches (not committed, redelivered)
      this.#o.logger.error({ err, code: 'IOTHUB_ERR_PUSH_STOPPING' }, 'push lane failed');
      this.#abandon(lane, err instanceof Error ? err : new Error(String(err)));
    } finally {
      lane.running = false;
    }
    if (this.#stopping) this.#abandon(lane);
  }

  /** Fail every queued record of a lane (their batches are not committed). */
  #abandon(lane: Lane, error: Error = new DispatchError('IOTHUB_ERR_PUSH_STOPPING')): void {
    const rest = lane.queue.slice(lane.head);
    lane.queue = [];
    lane.head = 0;
    if (rest.length === 0) return;
    this.#pending -= rest.length;
    this.#metrics.pendingRecords.set(this.#pending);
    for (const it of rest) it.tracker.fail(error);
  }

  /** Sends until success or dead-letter (true), or until the dispatcher stops (false). */
  async #deliver(items: Item[], target: Target): Promise<boolean> {
    const o = this.#o;
    const breaker = target.breaker;
    let troubleSince: number | undefined;
    let attempts = 0;
    let last: FailureReason | undefined;
    const body = this.#body(items, target);
    const contentType = o.profile === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    const headers: Record<string, string> =
      o.profile === 'json' && target.token !== null ? { authorization: `Bearer ${target.token}` } : {};
    for (;;) {
      if (this.#stopping) return false;
      const now = Date.now();
      const gate = breaker.tryAcquire(now);
      if (!gate.go) {
        troubleSince ??= now;
        const deadline = troubleSince + o.retryBudgetMs;
        if (now >= deadline) {
          return this.#deadLetter(
            items,
            target,
            last ?? breaker.lastFailure ?? { code: 'IOTHUB_ERR_PUSH_NETWORK', detail: 'circuit open' },
            attempts,
            troubleSince,
          );
        }
        await this.#wait(Math.min(gate.until ?? deadline, deadline) - now, breaker);
        continue;
      }
      const t0 = performance.now();
      let result: SendResult;
      try {
        result = await this.#sender.send(target.url, body, contentType, o.profile === 'jimi', headers);
      } catch (err) {
        result = { ok: false, code: 'IOTHUB_ERR_PUSH_NETWORK', detail: errText(err) };
      }
      attempts++;
      this.#metrics.requestSeconds.labels(target.endpoint).observe((performance.now() - t0) / 1000);
      this.#metrics.requestsTotal.labels(target.endpoint, result.ok ? 'ok' : result.code).inc();
      if (result.ok) {
        breaker.success(gate.probe);
        const n = items.length;
        this.#delivered += n;
        this.#metrics.recordsTotal.labels(target.endpoint, 'delivered').inc(n);
        const end = Date.now();
        this.#lastDeliveryAt = end;
        const received = Date.parse((items[n - 1] as Item).event.receivedAt);
        if (!Number.isNaN(received)) this.#metrics.lagSeconds.set(Math.max(0, (end - received) / 1000));
        return true;
      }
      const failedAt = Date.now();
      last = { code: result.code, detail: result.detail };
      breaker.failure(gate.probe, last, failedAt);
      troubleSince ??= failedAt;
      o.logger.warn(
        {
          code: result.code,
          endpoint: target.endpoint,
          status: result.ok ? undefined : result.status,
          attempts,
          records: items.length,
          detail: result.detail,
        },
        'push failed',
      );
      const deadline = troubleSince + o.retryBudgetMs;
      if (failedAt >= deadline) return this.#deadLetter(items, target, last, attempts, troubleSince);
      this.#metrics.retriesTotal.labels(target.endpoint).inc();
      await this.#wait(Math.min(this.#backoff(attempts), deadline - failedAt), breaker);
    }
  }

  #body(items: Item[], target: Target): string {
    if (this.#o.profile === 'json') return `{"events":[${items.map((i) => i.record as string).join(',')}]}`;
    return `${target.formPrefix}data_list=${encodeURIComponent(JSON.stringify(items.map((i) => i.record)))}`;
  }

  /** Exponential backoff with jitter: half fixed, half random. */
  #backoff(attempts: number): number {
    const o = this.#o;
    const base = Math.min(o.backoffMaxMs, o.backoffMinMs * 2 ** Math.min(attempts - 1, 30));
    return base / 2 + this.#random() * (base / 2);
  }

  /** Waits `ms`, or less when the breaker changes state or the dispatcher stops. */
  #wait(ms: number, breaker: CircuitBreaker): Promise<void> {
    if (ms <= 0 || this.#stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        remove();
        this.#stopWaiters.delete(done);
        resolve();
      };
      const remove = breaker.onNextChange(done);
      this.#stopWaiters.add(done);
      timer = setTimeout(done, ms);
    });
  }

  async #deadLetter(
    items: Item[],
    target: Target,
    reason: FailureReason,
    attempts: number,
    since: number,
  ): Promise<boolean> {
    const at = new Date().toISOString();
    const records: BusRecord[] = items.map((it) => ({
      topic: this.#dlqTopic,
      key: it.msg.key,
      value: Buffer.from(
        JSON.stringify({
          v: 1,
          reason: reason.code,
          detail: reason.detail,
          endpoint: target.endpoint,
          attempts,
          firstFailureAt: new Date(since).toISOString(),
          deadLetteredAt: at,
          source: { topic: it.msg.topic, partition: it.msg.partition, offset: it.msg.offset.toString() },
          event: it.event,
        }),
      ),
      headers: { 'x-iothub-reason': reason.code },
    }));
    if (!(await this.#publishDlq(records))) return false;
    this.#deadLettered += items.length;
    this.#metrics.deadLettersTotal.labels(reason.code).inc(items.length);
    this.#metrics.recordsTotal.labels(target.endpoint, 'dead-lettered').inc(items.length);
    this.#o.logger.error(
      { code: reason.code, endpoint: target.endpoint, records: items.length, attempts, detail: reason.detail },
      `push gave up: ${items.length} record(s) dead-lettered to ${this.#dlqTopic}`,
    );
    return true;
  }

  /** Records that cannot be pushed at all (bad JSON, bad values): straight to the dead-letter topic. */
  async #deadLetterBad(
    bad: { msg: BusMessage; event: unknown; code: DispatchErrorCode; detail: string }[],
  ): Promise<void> {
    const at = new Date().toISOString();
    const records: BusRecord[] = bad.map((b) => ({
      topic: this.#dlqTopic,
      key: b.msg.key,
      value: Buffer.from(
        JSON.stringify({
          v: 1,
          reason: b.code,
          detail: b.detail,
          endpoint: null,
          attempts: 0,
          firstFailureAt: at,
          deadLetteredAt: at,
          source: { topic: b.msg.topic, partition: b.msg.partition, offset: b.msg.offset.toString() },
          event: b.event,
        }),
      ),
      headers: { 'x-iothub-reason': b.code },
    }));
    for (const b of bad) {
      this.#o.logger.warn(
        { code: b.code, topic: b.msg.topic, offset: b.msg.offset.toString(), detail: b.detail },
        'event not pushable: dead-lettered',
      );
    }
    if (!(await this.#publishDlq(records))) throw new DispatchError('IOTHUB_ERR_PUSH_STOPPING');
    this.#deadLettered += bad.length;
    for (const b of bad) this.#metrics.deadLettersTotal.labels(b.code).inc();
  }

  /** Publish to the dead-letter topic, retrying until it works; false when the dispatcher stops first. */
  async #publishDlq(records: BusRecord[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping) return false;
      try {
        await this.#o.bus.publish(records);
        return true;
      } catch (err) {
        this.#o.logger.error(
          { err, code: 'IOTHUB_ERR_PUSH_DLQ_PUBLISH', attempt },
          'dead-letter publish failed: retrying',
        );
        await this.#wait(this.#backoff(attempt), this.#breakers.push);
      }
    }
  }
}

function completeItems(items: Item[]): void {
  // items of one request usually share a tracker: count them in one call
  let tracker = (items[0] as Item).tracker;
  let n = 0;
  for (const it of items) {
    if (it.tracker !== tracker) {
      tracker.done(n);
      tracker = it.tracker;
      n = 0;
    }
    n++;
  }
  tracker.done(n);
}

function formFields(form: Readonly<Record<string, string>> | undefined): string {
  if (form === undefined) return '';
  let s = '';
  for (const [k, v] of Object.entries(form)) s += `${encodeURIComponent(k)}=${encodeURIComponent(v)}&`;
  return s;
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

/** Parse and check the envelope of an uplink event; throws on anything else. */
export function parseEvent(value: Buffer): UplinkEvent {
  const v: unknown = JSON.parse(value.toString('utf8'));
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('not a JSON object');
  const e = v as Record<string, unknown>;
  if (e.v !== 1) throw new TypeError(`unsupported schema version ${JSON.stringify(e.v)}`);
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind)) throw new TypeError(`unknown kind ${JSON.stringify(e.kind)}`);
  if (typeof e.deviceImei !== 'string' || e.deviceImei === '') throw new TypeError('deviceImei missing');
  if (typeof e.receivedAt !== 'string' || jimiTime(e.receivedAt) === null)
    throw new TypeError('receivedAt missing or invalid');
  if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data))
    throw new TypeError('data is not an object');
  return e as unknown as UplinkEvent;
}

/** FNV-1a of the key, modulo the lane count. */
function laneOf(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
