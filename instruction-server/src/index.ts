/**
 * @iothub/instruction-server: the Jimi-compatible instruction API (sendInstruct, offline commands)
 * on API_PORT, on top of the downlink router (docs/api.md).
 */
export * from './app.ts';
export * from './commands.ts';
export * from './errors.ts';
export * from './openapi.ts';
export * from './request.ts';
export * from './server.ts';
export * from './service.ts';
export * from './store.ts';
