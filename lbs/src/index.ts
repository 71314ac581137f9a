/** @iothub/lbs: LBS service: resolves WiFi access points and cell towers to positions (GET /loc/query). */
export * from './cache.ts';
export * from './cli.ts';
export * from './errors.ts';
export * from './geo.ts';
export * from './import.ts';
export * from './metrics.ts';
export * from './query.ts';
export * from './resolver.ts';
export * from './server.ts';
export * from './service.ts';
export * from './store.ts';
export * from './synthetic.ts';
export * from './upstream.ts';
