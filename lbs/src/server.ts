/**
 * The LBS HTTP service (fastify): `GET /loc/query` (the Jimi hub's interface, docs/lbs.md), plus
 * `/health`, `/ready` and `/metrics` on the same port. A constructed value: the resolver, the token,
 * the logger and the registry are passed in.
 *
 * Every answer is HTTP 200 with `{code, msg, data}` (the Jimi convention: the code is in the body);
 * `data` is `{accuracy, from, lat, lng, time, type}` on success and null otherwise. The counts of
 * cells / access points used and unknown travel in the `x-lbs-used` / `x-lbs-unknown` headers
 * (`cells=N;wifi=M`), so the body stays exactly the documented one.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { API_CODES, API_MESSAGES, type ApiCode, ERROR_FOR_API_CODE } from './errors.ts';
import { lbsMetrics } from './metrics.ts';
import { parseQueryParams } from './query.ts';
import type { LbsResolution, LbsResolver } from './resolver.ts';

export interface LbsServerOptions {
  resolver: LbsResolver;
  /** The token callers must send; null = any non-empty token (embedded mode). */
  token: string | null;
  logger: Logger;
  registry: Registry;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '0.0.0.0'. */
  host?: string;
}

export interface LbsServer {
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** `yyyy-MM-dd HH:mm:ss`, UTC (the hub's time format). */
export function hubTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function tokenOk(expected: string | null, given: string): boolean {
  if (expected === null) return given.length > 0;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startLbsServer(options: LbsServerOptions): Promise<LbsServer> {
  const { resolver, logger, registry } = options;
  const log = logger.child({ component: 'lbs' });
  const metrics = lbsMetrics(registry);
  const codeCounters = new Map<number, { inc(): void }>();
  const count = (code: number) => {
    let c = codeCounters.get(code);
    if (!c) {
      c = metrics.queries.labels(String(code));
      codeCounters.set(code, c);
    }
    c.inc();
  };
  const app = Fastify({ logger: false, return503OnClosing: true });

  app.get('/loc/query', async (req, reply) => {
    const fail = (code: Exclude<ApiCode, 0>, detail: string) => {
      count(code);
      log.info({ code: ERROR_FOR_API_CODE[code], apiCode: code, detail }, 'query refused');
      return reply.send({ code, msg: API_MESSAGES[code], data: null });
    };
    const parsed = parseQueryParams((req.query ?? {}) as Record<string, unknown>, (t) => tokenOk(options.token, t));
    if (!parsed.ok) return fail(parsed.code as Exclude<ApiCode, 0>, parsed.detail);
    let r: LbsResolution;
    try {
      r = await resolver.resolve(parsed.query);
    } catch (err) {
      log.error({ err, code: 'IOTHUB_ERR_LBS_INTERNAL' }, 'resolve failed');
      return fail(API_CODES.BUSINESS_ERROR, 'resolution failed');
    }
    reply.header('x-lbs-used', `cells=${r.usedCells};wifi=${r.usedWifi}`);
    reply.header('x-lbs-unknown', `cells=${r.unknownCells};wifi=${r.unknownWifi}`);
    if (r.code !== 0) return fail(r.code, r.code === 400 ? 'no known cell or access point' : (r.error ?? 'error'));
    count(0);
    return reply.send({
      code: 0,
      msg: API_MESSAGES[0],
      data: { accuracy: r.accuracy, from: r.from, lat: r.lat, lng: r.lng, time: hubTime(r.time), type: r.type },
    });
  });

  app.get('/health', async () => ({
    status: 'ok',
    cells: resolver.counts.cells,
    wifi: resolver.counts.wifi,
  }));
  app.get('/ready', async (_req, reply) => reply.code(200).send({ ready: true }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.setErrorHandler((err, _req, reply) => {
    // Malformed requests fastify itself rejects (bad query encoding, ...): a defined answer, no crash.
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) {
      count(API_CODES.INVALID_PARAMS);
      log.info({ code: 'IOTHUB_ERR_LBS_PARAMS', detail: (err as Error).message }, 'request refused');
      return reply.code(200).send({ code: 100, msg: API_MESSAGES[100], data: null });
    }
    log.error({ err, code: 'IOTHUB_ERR_LBS_INTERNAL' }, 'request failed');
    count(API_CODES.BUSINESS_ERROR);
    return reply.code(200).send({ code: 300, msg: API_MESSAGES[300], data: null });
  });

  await app.listen({ port: options.port ?? 0, host: options.host ?? '0.0.0.0' });
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  log.info({ port, cells: resolver.counts.cells, wifi: resolver.counts.wifi }, 'lbs listening');
  let closing: Promise<void> | null = null;
  return {
    port,
    app,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
