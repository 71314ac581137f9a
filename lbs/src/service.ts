/**
 * The LBS service built from the configuration (`iothub lbs` in fleet mode, part of `pnpm start`):
 * the resolver over `LBS_DATA_DIR`, the Redis shared cache when REDIS_URL is set, the upstream
 * provider when LBS_UPSTREAM_URL is set, and the HTTP server on LBS_PORT.
 */
import type { IothubConfig } from '@iothub/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RedisLbsCache } from './cache.ts';
import { LbsResolver } from './resolver.ts';
import { type LbsServer, startLbsServer } from './server.ts';
import { HttpUpstreamProvider } from './upstream.ts';

export interface LbsService {
  readonly resolver: LbsResolver;
  readonly server: LbsServer;
  close(): Promise<void>;
}

export function createResolverFromConfig(
  config: IothubConfig,
  deps: { logger: Logger; registry: Registry | null },
): LbsResolver {
  const l = config.lbs;
  const ttlMs = l.cacheTtlS * 1000;
  return new LbsResolver({
    dataDir: l.dataDir,
    memoryCacheSize: l.cacheSize,
    cacheTtlMs: ttlMs,
    notFoundTtlMs: Math.min(ttlMs, 3600_000),
    sharedCache: config.redisUrl ? new RedisLbsCache({ redis: config.redisUrl, keyPrefix: 'iothub:lbs:' }) : null,
    upstream: l.upstreamUrl
      ? new HttpUpstreamProvider({ url: l.upstreamUrl, token: l.upstreamToken ?? '', timeoutMs: l.upstreamTimeoutMs })
      : null,
    registry: deps.registry,
    logger: deps.logger,
  });
}

export async function startLbsService(
  config: IothubConfig,
  deps: { logger: Logger; registry: Registry; host?: string; port?: number },
): Promise<LbsService> {
  const resolver = createResolverFromConfig(config, deps);
  let server: LbsServer;
  try {
    server = await startLbsServer({
      resolver,
      token: config.lbsToken,
      logger: deps.logger,
      registry: deps.registry,
      port: deps.port ?? config.lbsPort,
      ...(deps.host !== undefined ? { host: deps.host } : {}),
    });
  } catch (err) {
    await resolver.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    resolver,
    server,
    close() {
      closing ??= (async () => {
        await server.close();
        await resolver.close();
      })();
      return closing;
    },
  };
}
