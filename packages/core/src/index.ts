/**
 * @iothub/core: what every service shares. Interfaces with an in-memory implementation (embedded
 * mode, fast tests) and a real one (Kafka, Redis) each; configuration; logging; metrics; the
 * uplink event schema.
 */
export * from './admin.ts';
export * from './bus.ts';
export * from './bus-errors.ts';
export * from './bus-kafka.ts';
export * from './bus-memory.ts';
export * from './config.ts';
export * from './control.ts';
export * from './control-memory.ts';
export * from './control-redis.ts';
export * from './events.ts';
export * from './log.ts';
export * from './metrics.ts';
export * from './redis.ts';
export * from './routes.ts';
export * from './routes-memory.ts';
export * from './routes-redis.ts';
export * from './shutdown.ts';
