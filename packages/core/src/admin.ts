/**
 * Admin HTTP server of a service process (`node:http`, no framework):
 *
 *   GET /metrics  Prometheus text exposition of the process's registry
 *   GET /health   200 + JSON health report (liveness: answering at all means alive)
 *   GET /ready    200 when the process should receive traffic, else 503 (readiness)
 *   anything else 404 (unknown path) / 405 (known path, other method); HEAD works like GET.
 *
 * Error bodies are JSON `{ error: <stable code>, message }`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export const ADMIN_ERROR_CODES = {
  IOTHUB_ERR_ADMIN_NOT_FOUND: 'no such admin endpoint',
  IOTHUB_ERR_ADMIN_METHOD: 'method not allowed',
  /** The health / readiness callback or metrics collection threw. */
  IOTHUB_ERR_ADMIN_INTERNAL: 'admin endpoint failed',
} as const;
export type AdminErrorCode = keyof typeof ADMIN_ERROR_CODES;

export interface HealthReport {
  /** `ok`: all fine; `degraded`: serving but a dependency is down (e.g. the bus). */
  status: 'ok' | 'degraded' | 'down';
  [detail: string]: unknown;
}

export interface AdminServerOptions {
  /** 0 = any free port. */
  port: number;
  /** Bind address; default all interfaces (Prometheus scrapes from elsewhere). */
  host?: string;
  registry: Registry;
  health: () => HealthReport | Promise<HealthReport>;
  ready: () => boolean | Promise<boolean>;
  logger?: Logger;
}

export interface AdminServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stop listening and drop idle keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

const ROUTES = new Set(['/metrics', '/health', '/ready']);

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), head);
}

function sendError(res: ServerResponse, status: number, code: AdminErrorCode, head: boolean): void {
  sendJson(res, status, { error: code, message: ADMIN_ERROR_CODES[code] }, head);
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { registry, health, ready, logger } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (!ROUTES.has(path)) return sendError(res, 404, 'IOTHUB_ERR_ADMIN_NOT_FOUND', req.method === 'HEAD');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, 405, 'IOTHUB_ERR_ADMIN_METHOD', false);
    }
    const head = req.method === 'HEAD';
    try {
      switch (path) {
        case '/metrics':
          return send(res, 200, registry.contentType, await registry.metrics(), head);
        case '/health':
          return sendJson(res, 200, await health(), head);
        default: {
          const ok = (await ready()) === true;
          return sendJson(res, ok ? 200 : 503, { ready: ok }, head);
        }
      }
    } catch (err) {
      logger?.error({ err, code: 'IOTHUB_ERR_ADMIN_INTERNAL', path }, 'admin endpoint failed');
      if (!res.headersSent) sendError(res, 500, 'IOTHUB_ERR_ADMIN_INTERNAL', head);
      else res.destroy();
    }
  }

  const server = createServer((req, res) => {
    // Request bodies are never read: drain them so keep-alive connections stay usable.
    req.resume();
    void handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      resolve();
    };
    if (options.host === undefined) server.listen(options.port, done);
    else server.listen(options.port, options.host, done);
  });
  server.on('error', (err) => logger?.error({ err, code: 'IOTHUB_ERR_ADMIN_INTERNAL' }, 'admin server error'));

  const port = (server.address() as AddressInfo).port;
  logger?.info({ port }, 'admin HTTP listening (/metrics, /health, /ready)');

  let closing: Promise<void> | null = null;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A scrape in flight gets a moment to finish; then everything is cut.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}
