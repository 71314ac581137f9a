/**
 * Wiring of the instruction API + router from the configuration. Embedded mode (`pnpm start`)
 * passes the gateway app's bus, route table and control channel so everything shares them; fleet
 * mode (`iothub api`) builds Kafka / Redis ones. State: the device slots (`_code` 302) and the
 * offline commands live in Redis when REDIS_URL is set, in memory otherwise.
 */
import { randomBytes } from 'node:crypto';
import {
  type Bus,
  type ControlChannel,
  type IothubConfig,
  KafkaBus,
  type Logger,
  MemoryBus,
  MemoryControlChannel,
  MemoryRouteTable,
  RedisControlChannel,
  RedisRouteTable,
  type RouteTable,
} from '@iothub/core';
import { type DeviceLock, MemoryDeviceLock, RedisDeviceLock, Router } from '@iothub/router';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type InstructionServer, startInstructionServer } from './server.ts';
import { InstructionService } from './service.ts';
import { type CommandStore, MemoryCommandStore, RedisCommandStore } from './store.ts';

export interface InstructionAppOptions {
  logger?: Logger;
  registry?: Registry;
  /** Shared with the gateways in embedded mode; otherwise built from the configuration. */
  bus?: Bus;
  routes?: RouteTable;
  control?: ControlChannel;
  lock?: DeviceLock;
  store?: CommandStore;
  /** Bind address (default all interfaces). */
  host?: string;
  /** Instance id (router control address `router:<id>`, `gateId` of instruct-result events). */
  instanceId?: string;
  /** Redis key prefix for slots and offline commands (default `iothub:`). */
  keyPrefix?: string;
  /** Kafka consumer group for login events (default `<topicPrefix>-instruction-server`). */
  groupId?: string;
  /** See `InstructionServiceOptions.sessionsFromBeginning`. */
  sessionsFromBeginning?: boolean;
}

export interface InstructionApp {
  readonly server: InstructionServer;
  readonly service: InstructionService;
  readonly router: Router;
  readonly store: CommandStore;
  readonly registry: Registry;
  readonly port: number;
  close(): Promise<void>;
}

export async function startInstructionApp(
  config: IothubConfig,
  options: InstructionAppOptions = {},
): Promise<InstructionApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const registry = options.registry ?? new Registry();
  const owned: (() => Promise<void>)[] = [];
  const own = <T extends { close(): Promise<void> }>(given: T | undefined, make: () => T): T => {
    if (given) return given;
    const made = make();
    owned.push(() => made.close());
    return made;
  };
  const redis = config.redisUrl;
  const keyPrefix = options.keyPrefix ?? 'iothub:';
  const bus = own(options.bus, () =>
    config.kafkaBrokers.length > 0
      ? new KafkaBus({
          brokers: [...config.kafkaBrokers],
          onError: (err, context) => logger.warn({ err, context, code: 'IOTHUB_ERR_BUS' }, 'kafka'),
        })
      : new MemoryBus(),
  );
  const routes = own(options.routes, () =>
    redis ? new RedisRouteTable({ redis, keyPrefix }) : new MemoryRouteTable(),
  );
  const control = own(options.control, () =>
    redis ? new RedisControlChannel({ redis, keyPrefix }) : new MemoryControlChannel(),
  );
  const lock = own(options.lock, () => (redis ? new RedisDeviceLock({ redis, keyPrefix }) : new MemoryDeviceLock()));
  const store = own(options.store, () =>
    redis ? new RedisCommandStore({ redis, keyPrefix }) : new MemoryCommandStore(),
  );

  const instanceId = options.instanceId ?? `api-${config.hostname}-${randomBytes(4).toString('hex')}`;
  const router = new Router({
    routes,
    control,
    lock,
    instanceId,
    logger,
    registry,
    maxOutstandingPerDevice: config.api.maxOutstandingPerDevice,
  });
  const serviceOptions: ConstructorParameters<typeof InstructionService>[0] = {
    router,
    routes,
    bus,
    store,
    topicPrefix: config.topicPrefix,
    instanceId,
    logger,
    registry,
    offlineTtlS: config.api.offlineCommandTtlS,
    offlinePerDevice: config.api.offlineCommandsPerDevice,
  };
  if (options.groupId !== undefined) serviceOptions.groupId = options.groupId;
  if (options.sessionsFromBeginning !== undefined) serviceOptions.sessionsFromBeginning = options.sessionsFromBeginning;
  const service = new InstructionService(serviceOptions);
  let server: InstructionServer;
  try {
    await router.start();
    await service.start();
    const serverOptions: Parameters<typeof startInstructionServer>[0] = {
      service,
      token: config.apiToken,
      port: config.apiPort,
      logger,
      registry,
      limits: { defaultTimeoutS: config.api.defaultTimeoutS, maxTimeoutS: config.api.maxTimeoutS },
      rateLimitPerSecond: config.api.rateLimitPerSecond,
      bodyLimitBytes: config.api.bodyLimitBytes,
      ready: () => bus.isReady(),
    };
    if (options.host !== undefined) serverOptions.host = options.host;
    server = await startInstructionServer(serverOptions);
  } catch (err) {
    await service.close().catch(() => {});
    await router.close().catch(() => {});
    await Promise.allSettled(owned.map((c) => c()));
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    server,
    service,
    router,
    store,
    registry,
    port: server.port,
    close() {
      closing ??= (async () => {
        // Stop taking requests, end pending commands, stop consuming, then release connections.
        await server.close();
        await router.close();
        await service.close();
        await Promise.allSettled(owned.map((c) => c()));
      })();
      return closing;
    },
  };
}
