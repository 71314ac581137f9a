/**
 * Wiring: build the gateways of one process from the configuration (`@iothub/core` `loadConfig`).
 *
 * Embedded mode (no REDIS_URL / KAFKA_BROKERS): the in-memory bus, route table and control channel,
 * shared by both gateways of the process. Fleet mode: Kafka for the bus, Redis for the route table
 * and the control channel. Both gateways share one metrics registry and one admin HTTP server.
 */
import { readFileSync } from 'node:fs';
import type * as tls from 'node:tls';
import {
  type AdminServer,
  type Bus,
  type ControlChannel,
  createLogger,
  createMetricsRegistry,
  gateIdFor,
  type IothubConfig,
  KafkaBus,
  type Logger,
  MemoryBus,
  MemoryControlChannel,
  MemoryRouteTable,
  RedisControlChannel,
  RedisRouteTable,
  type RouteTable,
  startAdminServer,
} from '@iothub/core';
import type { Registry } from 'prom-client';
import { LocalFileStore } from './common/file-store.ts';
import { HttpLbsClient, type LbsClient } from './common/lbs.ts';
import type { Protocol } from './common/protocol.ts';
import { GatewayServer, type GatewayServerOptions } from './common/server.ts';
import { jimiProtocol } from './jimi/index.ts';
import { jt808Protocol } from './jt808/index.ts';

export type GatewayProtocolName = 'jt808' | 'jimi';

export interface GatewayAppOptions {
  /** Which gateways this process runs (embedded: both). */
  protocols: readonly GatewayProtocolName[];
  /** Bind address of the device ports (default all interfaces). */
  host?: string;
  logger?: Logger;
  /** Injected dependencies (tests); otherwise built from the configuration. */
  bus?: Bus;
  routes?: RouteTable;
  control?: ControlChannel;
  /**
   * How LBS / WiFi data is resolved: the embedded process passes the in-process resolver; null = not
   * at all (published unresolved). Default: HTTP to LBS_URL, or null when LBS_RESOLVE=false.
   */
  lbs?: LbsClient | null;
}

export interface GatewayApp {
  readonly servers: readonly GatewayServer<unknown>[];
  readonly admin: AdminServer | null;
  readonly bus: Bus;
  readonly routes: RouteTable;
  readonly control: ControlChannel;
  readonly registry: Registry;
  /** Stop accepting, close connections, flush the bus, release connections to Redis/Kafka. */
  close(): Promise<void>;
}

/** A finite stand-in for "no limit" where the runtime takes a number. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

export async function startGatewayApp(config: IothubConfig, options: GatewayAppOptions): Promise<GatewayApp> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'gateway' });
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const owned: (() => Promise<void>)[] = [];

  const bus =
    options.bus ??
    (config.kafkaBrokers.length > 0
      ? new KafkaBus({
          brokers: [...config.kafkaBrokers],
          onError: (err, context) => logger.warn({ err, context, code: 'IOTHUB_ERR_BUS' }, 'kafka'),
        })
      : new MemoryBus({ retention: config.memoryBusRetention, trimConsumed: true }));
  if (!options.bus) owned.push(() => bus.close());
  const routes =
    options.routes ?? (config.redisUrl ? new RedisRouteTable({ redis: config.redisUrl }) : new MemoryRouteTable());
  if (!options.routes) owned.push(() => routes.close());
  const control =
    options.control ??
    (config.redisUrl ? new RedisControlChannel({ redis: config.redisUrl }) : new MemoryControlChannel());
  if (!options.control) owned.push(() => control.close());

  const g = config.gateway;
  let tlsOptions: tls.TlsOptions | undefined;
  if (g.tls) tlsOptions = { cert: readFileSync(g.tls.certFile), key: readFileSync(g.tls.keyFile) };
  const fileStore = new LocalFileStore(g.mediaDir);
  const lbs: LbsClient | null =
    options.lbs !== undefined
      ? options.lbs
      : config.lbs.resolve
        ? new HttpLbsClient({ url: config.lbsUrl, token: config.lbsToken, timeoutMs: config.lbs.timeoutMs })
        : null;

  const servers: GatewayServer<unknown>[] = [];
  try {
    for (const name of options.protocols) {
      const port = name === 'jt808' ? config.jt808Port : config.jimiPort;
      const protocol: Protocol<unknown> =
        name === 'jt808'
          ? (jt808Protocol({
              registration:
                g.jt808Registration === 'allow-list'
                  ? { mode: 'allow-list', allowed: new Set(g.jt808AllowList) }
                  : { mode: 'open' },
              publishUnauthenticated: g.publishUnauthenticated,
              imeiFromAuth: g.jt808ImeiSource === 'auth-imei',
              includeRaw: g.eventIncludeRaw,
            }) as Protocol<unknown>)
          : (jimiProtocol({
              includeRaw: g.eventIncludeRaw,
              ...(g.jimiTimeZone === 'login' ? { timeZoneFromLogin: true } : { timeOffsetMinutes: g.jimiTimeZone }),
            }) as Protocol<unknown>);
      // Two gateways in one process need two identities; the default `<host>-<port>` already
      // differs unless the ports are ephemeral or GATE_ID is set explicitly.
      const base = gateIdFor(config, port);
      const gateId = options.protocols.length > 1 && (config.gateId !== null || port === 0) ? `${base}-${name}` : base;
      const serverOptions: GatewayServerOptions<unknown> = {
        protocol,
        gateId,
        bus,
        routes,
        control,
        logger,
        registry,
        port,
        topicPrefix: config.topicPrefix,
        proxyProtocol: g.proxyProtocol !== 'off',
        maxConnections: g.maxConnections === 0 ? UNLIMITED : g.maxConnections,
        maxInflightRecords: g.maxInflightRecords,
        idleTimeoutMs: g.readTimeoutMs === 0 ? UNLIMITED : g.readTimeoutMs,
        maxFrameSize: g.maxFrameBytes,
        maxPendingOutboundBytes: g.maxPendingOutboundBytes,
        rateLimit: { messages: g.maxMessagesPerSecond === 0 ? UNLIMITED : g.maxMessagesPerSecond, windowMs: 1000 },
        durableAck: g.durableAck,
        fileStore,
        lbs,
        lbsTimeoutMs: config.lbs.timeoutMs,
      };
      if (options.host !== undefined) serverOptions.host = options.host;
      if (tlsOptions) serverOptions.tls = tlsOptions;
      const server = new GatewayServer(serverOptions);
      await server.listen();
      servers.push(server);
    }
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.close()));
    await Promise.allSettled(owned.map((c) => c()));
    throw err;
  }

  let admin: AdminServer | null = null;
  if (g.adminPort !== null) {
    admin = await startAdminServer({
      port: g.adminPort,
      registry,
      logger,
      health: () => ({
        status: bus.isReady() ? 'ok' : 'degraded',
        bus: bus.isReady() ? 'up' : 'down',
        gateways: servers.map((s) => ({
          gateId: s.gateId,
          protocol: s.protocol.name,
          connections: s.connections.size,
        })),
      }),
      ready: () => bus.isReady(),
    });
  }

  let closing: Promise<void> | null = null;
  return {
    servers,
    admin,
    bus,
    routes,
    control,
    registry,
    close() {
      closing ??= (async () => {
        await Promise.allSettled(servers.map((s) => s.close()));
        if (admin) await admin.close();
        await Promise.allSettled(owned.map((c) => c()));
      })();
      return closing;
    },
  };
}
