/**
 * Cluster mode of one gateway (`iothub gateway --protocol jt808|jimi` with `GATEWAY_WORKERS=N`, N > 1):
 * the primary forks N workers with `node:cluster`; they share the device port (the primary accepts
 * and hands connections round-robin, Node's default on Linux), and each runs `startGatewayApp` with
 * its own gate id `gateIdFor(config, port, index)` (`<host>-<port>-w<index>`), so route-table
 * entries and control addresses stay per worker. A restarted worker keeps its index and gate id.
 *
 * Primary:
 *  - restarts a worker that dies, after a backoff (`initialDelayMs` doubling up to `maxDelayMs`);
 *    a slot that crashed `maxCrashes` times within `windowMs` is given up (status line + log
 *    `IOTHUB_ERR_WORKER_CRASH_LOOP`); when every slot is given up the primary exits 1;
 *  - on SIGTERM / SIGINT forwards SIGTERM to the workers (each drains: stops accepting, flushes the
 *    bus, closes its connections) and exits 0 once all have exited; stragglers get SIGKILL just
 *    before the 10 s bound (exit 1 then);
 *  - serves the admin port (ADMIN_PORT) alone: `/metrics` aggregates every worker's registry over
 *    cluster messages (prom-client `AggregatorRegistry`: counters, histograms and gauges summed, so
 *    `iothub_gateway_connections` is the process group's total); `/health` lists the workers (pid,
 *    gate id, connections, bus); `/ready` is 200 when every slot has a ready worker whose bus is up.
 *    Workers run no admin server of their own.
 *
 * Status lines for people and tests go to `out` (default stdout), one per event:
 *   `worker <i> pid <pid> ready (gate <gateId>, :<port>)`
 *   `worker <i> pid <pid> exited (code <c>, signal <s>): restarting in <ms> ms` | `: giving up ...`
 */
import cluster, { type Worker } from 'node:cluster';
import {
  type AdminServer,
  createLogger,
  gateIdFor,
  type IothubConfig,
  type Logger,
  onShutdown,
  startAdminServer,
} from '@iothub/core';
import { AggregatorRegistry } from 'prom-client';
import { type GatewayApp, type GatewayProtocolName, startGatewayApp } from './app.ts';

/** Environment variable carrying a worker's index (0-based) from the primary to the worker. */
export const WORKER_INDEX_ENV = 'IOTHUB_GATEWAY_WORKER';

export const CLUSTER_ERROR_CODES = {
  /** A worker exited without being asked to. */
  IOTHUB_ERR_WORKER_EXIT: 'gateway worker exited',
  /** A worker slot crashed too often in a short time and is not restarted any more. */
  IOTHUB_ERR_WORKER_CRASH_LOOP: 'gateway worker crash loop: slot given up',
  /** A worker did not exit within the shutdown bound and was killed. */
  IOTHUB_ERR_WORKER_KILLED: 'gateway worker killed at the shutdown deadline',
} as const;
export type ClusterErrorCode = keyof typeof CLUSTER_ERROR_CODES;

export interface RestartPolicy {
  /** First restart delay, doubled per recent crash. Default 500 ms. */
  initialDelayMs: number;
  /** Longest restart delay. Default 10 s. */
  maxDelayMs: number;
  /** Crashes counted within this window. Default 60 s. */
  windowMs: number;
  /** A slot with this many crashes within `windowMs` is given up. Default 5. */
  maxCrashes: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  windowMs: 60_000,
  maxCrashes: 5,
});

export interface GatewayClusterOptions {
  protocol: GatewayProtocolName;
  logger?: Logger;
  /** Status lines (default: stdout). */
  out?: (line: string) => void;
  restart?: Partial<RestartPolicy>;
  /** Workers get this long to drain after SIGTERM before SIGKILL. Default 9,500 ms (under the 10 s bound). */
  drainTimeoutMs?: number;
  /** Worker status report period. Default 1 s. */
  statusIntervalMs?: number;
}

/** Messages from a worker to the primary (besides prom-client's own). */
type WorkerMessage =
  | { type: 'iothub:worker-ready'; index: number; gateId: string; port: number }
  | { type: 'iothub:worker-status'; connections: number; busReady: boolean };

function isWorkerMessage(m: unknown): m is WorkerMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'iothub:worker-ready' || t === 'iothub:worker-status';
}

export interface WorkerSlot {
  readonly index: number;
  pid: number | null;
  state: 'starting' | 'ready' | 'waiting' | 'given-up' | 'stopped';
  gateId: string | null;
  port: number | null;
  connections: number;
  busReady: boolean;
  restarts: number;
  /** Exit times within the crash window. */
  crashes: number[];
}

export interface GatewayPrimary {
  readonly slots: readonly WorkerSlot[];
  readonly admin: AdminServer | null;
  /** Resolves when every worker slot has been ready once. */
  readonly ready: Promise<void>;
  /** Resolves when every slot is given up (crash loops). */
  readonly failed: Promise<void>;
  /** SIGTERM every worker, wait for them (SIGKILL at the deadline), stop the admin server. 0 = all drained. */
  close(): Promise<number>;
}

/** The worker index of this process, or null in the primary / a process outside a cluster. */
export function workerIndex(): number | null {
  if (!cluster.isWorker) return null;
  const n = Number(process.env[WORKER_INDEX_ENV]);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function devicePort(config: IothubConfig, protocol: GatewayProtocolName): number {
  return protocol === 'jt808' ? config.jt808Port : config.jimiPort;
}

/**
 * In a worker: run the gateway with this worker's gate id and without an admin server (the primary
 * serves the aggregated metrics), answer the primary's metrics requests, report status.
 */
export async function startGatewayWorker(config: IothubConfig, options: GatewayClusterOptions): Promise<GatewayApp> {
  const index = workerIndex() ?? 0;
  const port = devicePort(config, options.protocol);
  const gateId = gateIdFor(config, port, index);
  const logger =
    options.logger ?? createLogger({ level: config.logLevel, service: 'gateway', gateId }).child({ worker: index });
  const workerConfig: IothubConfig = { ...config, gateId, gateway: { ...config.gateway, adminPort: null } };
  const app = await startGatewayApp(workerConfig, { protocols: [options.protocol], logger });
  // prom-client answers the primary's `clusterMetrics()` requests from these registries; the
  // constructor installs that listener.
  AggregatorRegistry.setRegistries([app.registry]);
  new AggregatorRegistry();
  const server = app.servers[0];
  const send = (m: WorkerMessage) => {
    if (process.connected) process.send?.(m);
  };
  send({ type: 'iothub:worker-ready', index, gateId, port: server?.port ?? port });
  const status = setInterval(
    () =>
      send({
        type: 'iothub:worker-status',
        connections: server?.connections.size ?? 0,
        busReady: app.bus.isReady(),
      }),
    options.statusIntervalMs ?? 1000,
  );
  status.unref();
  const close = app.close.bind(app);
  return {
    ...app,
    servers: app.servers,
    close() {
      clearInterval(status);
      return close();
    },
  };
}

/** The primary's admin registry: `/metrics` is the sum over the workers. */
class ClusterRegistry extends AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> {
  override metrics(): Promise<string> {
    return this.clusterMetrics();
  }
}

/** In the primary: fork the workers, keep them running, serve the aggregated admin port. */
export async function startGatewayPrimary(
  config: IothubConfig,
  options: GatewayClusterOptions,
): Promise<GatewayPrimary> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'gateway-primary' });
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
  const drainTimeoutMs = options.drainTimeoutMs ?? 9_500;
  const n = config.gateway.workers;
  const slots: WorkerSlot[] = [];
  const byWorker = new Map<Worker, WorkerSlot>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let stopping = false;

  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  let resolveFailed!: () => void;
  const failed = new Promise<void>((r) => {
    resolveFailed = r;
  });
  const everReady = new Set<number>();

  const fork = (slot: WorkerSlot) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(slot.index) });
    slot.pid = worker.process.pid ?? null;
    slot.state = 'starting';
    slot.connections = 0;
    slot.busReady = false;
    byWorker.set(worker, slot);
    worker.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'iothub:worker-ready') {
        slot.state = 'ready';
        slot.gateId = m.gateId;
        slot.port = m.port;
        slot.busReady = true;
        out(`worker ${slot.index} pid ${slot.pid} ready (gate ${m.gateId}, :${m.port})`);
        logger.info({ worker: slot.index, pid: slot.pid, gateId: m.gateId, port: m.port }, 'worker ready');
        everReady.add(slot.index);
        if (everReady.size === n) resolveReady();
      } else {
        slot.connections = m.connections;
        slot.busReady = m.busReady;
      }
    });
    worker.on('exit', (code, signal) => {
      byWorker.delete(worker);
      onExit(slot, worker.process.pid ?? null, code, signal);
    });
  };

  const onExit = (slot: WorkerSlot, pid: number | null, code: number | null, signal: string | null) => {
    slot.pid = null;
    slot.connections = 0;
    slot.busReady = false;
    const how = `code ${code ?? '-'}, signal ${signal ?? '-'}`;
    if (stopping) {
      slot.state = 'stopped';
      out(`worker ${slot.index} pid ${pid} exited (${how})`);
      return;
    }
    const now = Date.now();
    slot.crashes = slot.crashes.filter((t) => now - t < policy.windowMs);
    slot.crashes.push(now);
    if (slot.crashes.length >= policy.maxCrashes) {
      slot.state = 'given-up';
      out(`worker ${slot.index} pid ${pid} exited (${how}): giving up after ${slot.crashes.length} crashes`);
      logger.error(
        { code: 'IOTHUB_ERR_WORKER_CRASH_LOOP', worker: slot.index, pid, exitCode: code, signal },
        CLUSTER_ERROR_CODES.IOTHUB_ERR_WORKER_CRASH_LOOP,
      );
      if (slots.every((s) => s.state === 'given-up')) resolveFailed();
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (slot.crashes.length - 1));
    slot.state = 'waiting';
    out(`worker ${slot.index} pid ${pid} exited (${how}): restarting in ${delay} ms`);
    logger.warn(
      { code: 'IOTHUB_ERR_WORKER_EXIT', worker: slot.index, pid, exitCode: code, signal, restartInMs: delay },
      CLUSTER_ERROR_CODES.IOTHUB_ERR_WORKER_EXIT,
    );
    const t = setTimeout(() => {
      restartTimers.delete(t);
      if (stopping) return;
      slot.restarts++;
      fork(slot);
    }, delay);
    restartTimers.add(t);
  };

  for (let i = 0; i < n; i++) {
    const slot: WorkerSlot = {
      index: i,
      pid: null,
      state: 'starting',
      gateId: null,
      port: null,
      connections: 0,
      busReady: false,
      restarts: 0,
      crashes: [],
    };
    slots.push(slot);
    fork(slot);
  }

  let admin: AdminServer | null = null;
  if (config.gateway.adminPort !== null) {
    const registry = new ClusterRegistry();
    const workersReport = () =>
      slots.map((s) => ({
        worker: s.index,
        pid: s.pid,
        state: s.state,
        gateId: s.gateId,
        connections: s.connections,
        bus: s.busReady ? 'up' : 'down',
        restarts: s.restarts,
      }));
    const allReady = () => slots.every((s) => s.state === 'ready' && s.busReady);
    try {
      admin = await startAdminServer({
        port: config.gateway.adminPort,
        registry,
        logger,
        health: () => ({
          status: allReady() ? 'ok' : slots.some((s) => s.state === 'ready') ? 'degraded' : 'down',
          protocol: options.protocol,
          connections: slots.reduce((a, s) => a + s.connections, 0),
          workers: workersReport(),
        }),
        ready: allReady,
      });
    } catch (err) {
      stopping = true;
      for (const w of byWorker.keys()) w.process.kill('SIGTERM');
      throw err;
    }
  }

  let closing: Promise<number> | null = null;
  const close = (): Promise<number> => {
    closing ??= (async () => {
      stopping = true;
      for (const t of restartTimers) clearTimeout(t);
      restartTimers.clear();
      const adminClosed = admin ? admin.close() : Promise.resolve();
      const live = [...byWorker.keys()];
      out(`stopping: SIGTERM to ${live.length} worker(s)`);
      const exits = live.map(
        (w) =>
          new Promise<boolean>((resolve) => {
            if (w.isDead()) {
              resolve(true);
              return;
            }
            w.once('exit', (code) => resolve(code === 0));
            w.process.kill('SIGTERM');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
      });
      const outcome = await Promise.race([Promise.all(exits), deadline]);
      clearTimeout(timer);
      let code = 0;
      if (outcome === 'timeout') {
        code = 1;
        for (const w of byWorker.keys()) {
          logger.error(
            { code: 'IOTHUB_ERR_WORKER_KILLED', pid: w.process.pid },
            CLUSTER_ERROR_CODES.IOTHUB_ERR_WORKER_KILLED,
          );
          w.process.kill('SIGKILL');
        }
      } else if (outcome.some((ok) => !ok)) code = 1;
      await adminClosed;
      out(`stopped (exit ${code})`);
      return code;
    })();
    return closing;
  };

  return { slots, admin, ready, failed, close };
}

/**
 * The `iothub gateway` command in cluster mode: in the primary, fork and supervise; in a worker, run
 * the gateway. Resolves (in the primary) with the exit code only when every worker slot gave up;
 * signals end the process through `onShutdown`.
 */
export async function runGatewayCluster(config: IothubConfig, options: GatewayClusterOptions): Promise<number> {
  if (cluster.isWorker) {
    const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'gateway' });
    let app: GatewayApp;
    try {
      app = await startGatewayWorker(config, { ...options, logger });
    } catch (err) {
      logger.fatal({ err, worker: workerIndex() }, 'gateway worker failed to start');
      process.exit(1);
    }
    // The primary forwards SIGTERM; a terminal's Ctrl-C reaches the workers directly as well, so a
    // second signal must not cut the drain short.
    onShutdown(() => app.close(), { logger, timeoutMs: 9_000, forceOnSecondSignal: false });
    return new Promise<number>(() => {});
  }
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'gateway-primary' });
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  for (const w of config.warnings) logger.warn({ code: 'IOTHUB_ERR_CONFIG_WARNING' }, w);
  const port = devicePort(config, options.protocol);
  const primary = await startGatewayPrimary(config, { ...options, logger, out });
  out(
    `iothub gateway cluster (${config.mode} mode, ${options.protocol}): ${config.gateway.workers} workers on :${port}, ` +
      `primary pid ${process.pid}, ` +
      (primary.admin ? `aggregated /metrics /health /ready on :${primary.admin.port}` : 'admin off'),
  );
  const shutdown = onShutdown(
    async () => {
      const code = await primary.close();
      if (code !== 0) throw new Error('a worker did not drain cleanly');
    },
    { logger, timeoutMs: 10_000, forceOnSecondSignal: false },
  );
  await primary.failed;
  shutdown.dispose();
  logger.fatal({ code: 'IOTHUB_ERR_WORKER_CRASH_LOOP' }, 'every gateway worker is crash-looping: exiting');
  await primary.close();
  return 1;
}
