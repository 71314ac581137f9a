/**
 * @iothub/gateways: the device gateways. `common/` is the protocol-independent TCP connection runtime
 * (`GatewayServer`) and the protocol contract; `jt808/` and `jimi/` are the protocols.
 */

export * from './app.ts';
export * from './cluster.ts';
export * from './common/errors.ts';
export * from './common/file-store.ts';
export * from './common/lbs.ts';
export * from './common/metrics.ts';
export * from './common/protocol.ts';
export * from './common/proxy.ts';
export * from './common/server.ts';
export * from './jimi/index.ts';
export * from './jt808/index.ts';
