/**
 * Wiring of the dispatcher from the configuration: `iothub dispatch` (fleet mode: its own Kafka
 * consumer, metrics registry and admin server with `/health`) or inside the embedded process
 * (the gateway app's bus and registry passed in).
 */
import {
  type AdminServer,
  type Bus,
  createLogger,
  createMetricsRegistry,
  type IothubConfig,
  KafkaBus,
  type Logger,
  startAdminServer,
} from '@iothub/core';
import type { Registry } from 'prom-client';
import { Dispatcher, dispatcherOptionsFrom } from './dispatcher.ts';

export interface DispatchAppOptions {
  /** The bus to consume (embedded: the gateway app's); default a KafkaBus on KAFKA_BROKERS. */
  bus?: Bus;
  /** Metrics registry (embedded: the gateway app's); default a new one with process metrics. */
  registry?: Registry;
  logger?: Logger;
  /** Admin port (`/metrics`, `/health`, `/ready`); default `config.dispatch.adminPort`; null = none. */
  adminPort?: number | null;
  /** Records per handler call when the app creates the KafkaBus (default 1000). */
  kafkaMaxBatch?: number;
}

export interface DispatchApp {
  readonly dispatcher: Dispatcher;
  readonly admin: AdminServer | null;
  readonly bus: Bus;
  readonly registry: Registry;
  /** Stop consuming (undelivered batches stay uncommitted), then release what the app created. */
  close(): Promise<void>;
}

export async function startDispatchApp(config: IothubConfig, options: DispatchAppOptions = {}): Promise<DispatchApp> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: 'dispatch' });
  if (config.pushUrl === null && config.offlineCmdPushUrl === null)
    throw new TypeError('neither PUSH_URL nor OFFLINE_CMD_PUSH_URL is set: the push dispatcher has nowhere to push');
  const registry = options.registry ?? createMetricsRegistry({ defaultMetrics: true });
  let ownedBus: Bus | undefined;
  let bus = options.bus;
  if (bus === undefined) {
    if (config.kafkaBrokers.length === 0)
      throw new TypeError('KAFKA_BROKERS is not set: `iothub dispatch` consumes the Kafka bus');
    ownedBus = new KafkaBus({
      brokers: [...config.kafkaBrokers],
      clientId: 'iothub-dispatch',
      maxBatch: options.kafkaMaxBatch ?? 1000,
      onError: (err, context) => logger.warn({ err, context, code: 'IOTHUB_ERR_BUS' }, 'kafka'),
    });
    bus = ownedBus;
  }
  const dispatcher = new Dispatcher(dispatcherOptionsFrom(config, { bus, registry, logger }));
  let admin: AdminServer | null = null;
  try {
    await dispatcher.start();
    const port = options.adminPort === undefined ? config.dispatch.adminPort : options.adminPort;
    if (port !== null) {
      const b = bus;
      admin = await startAdminServer({
        port,
        registry,
        logger,
        health: () => ({ ...dispatcher.health() }),
        ready: () => b.isReady(),
      });
    }
  } catch (err) {
    await dispatcher.close().catch(() => {});
    await ownedBus?.close().catch(() => {});
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    dispatcher,
    admin,
    bus,
    registry,
    close: () => {
      closing ??= (async () => {
        await admin?.close();
        await dispatcher.close();
        await ownedBus?.close();
      })();
      return closing;
    },
  };
}
