/**
 * @iothub/core: what every service shares. Interfaces with an in-memory implementation (embedded
 * mode, fast tests) and a real one (Kafka, Redis) each; configuration; logging; metrics; the
 * uplink event schema.
 */
export * from './bus.ts';
export * from './control.ts';
export * from './events.ts';
export * from './routes.ts';
