/**
 * The instruction API over HTTP (fastify, API_PORT 10088), Jimi IoT Hub compatible (docs/api.md):
 *
 *   POST /api/device/sendInstruct            form-encoded or JSON
 *   POST /api/device/queryOfflineInstruct
 *   POST /api/device/deleteOfflineInstruct
 *   GET  /api/openapi.json                   the OpenAPI description
 *   GET  /health, /ready
 *
 * In front of every POST, in this order: the per-client rate limit (429), the body size limit
 * (413, fastify `bodyLimit`), the token (401, compared in constant time; nothing is sent), then the
 * field validation (`_code` 200 naming the field). Every refusal carries an `IOTHUB_ERR_API_*` code,
 * is counted in `iothub_api_errors_total{code}` and logged with it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { FieldError } from './commands.ts';
import { API_ERROR_CODES, type ApiErrorCode } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { asBody, cmdType, deviceImei, parseInstructRequest, type RequestLimits } from './request.ts';
import { INSTRUCT_CODES, type InstructionService } from './service.ts';

type Logger = pino.Logger;

export interface InstructionServerOptions {
  service: InstructionService;
  /** API_TOKEN: every POST must carry it as `token`. */
  token: string;
  port: number;
  host?: string;
  logger?: Logger;
  registry?: Registry;
  limits: RequestLimits;
  /** Requests per second per client address; 0 = unlimited. */
  rateLimitPerSecond: number;
  bodyLimitBytes: number;
  /** Extra readiness condition (the bus). */
  ready?: () => boolean;
}

export interface InstructionServer {
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Fixed one-second windows per client address (bounded map, swept every window). */
class RateLimiter {
  readonly #limit: number;
  #window = 0;
  #counts = new Map<string, number>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  allow(client: string, now: number): boolean {
    if (this.#limit <= 0) return true;
    const w = Math.floor(now / 1000);
    if (w !== this.#window) {
      this.#window = w;
      this.#counts = new Map();
    }
    const n = (this.#counts.get(client) ?? 0) + 1;
    this.#counts.set(client, n);
    return n <= this.#limit;
  }
}

const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = {
  IOTHUB_ERR_API_TOKEN: 401,
  IOTHUB_ERR_API_RATE_LIMIT: 429,
};

export async function startInstructionServer(options: InstructionServerOptions): Promise<InstructionServer> {
  const log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'instruction-api' });
  const registry = options.registry ?? new Registry();
  const errors =
    (registry.getSingleMetric('iothub_api_errors_total') as Counter<'code'> | undefined) ??
    new Counter({
      name: 'iothub_api_errors_total',
      help: 'Requests refused or failed, by IOTHUB_ERR_API_* code',
      labelNames: ['code'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('iothub_api_request_duration_seconds') as Histogram<'route'> | undefined) ??
    new Histogram({
      name: 'iothub_api_request_duration_seconds',
      help: 'HTTP request duration by route (sendInstruct includes the wait for the device)',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  const expected = createHash('sha256').update(options.token).digest();
  const limiter = new RateLimiter(options.rateLimitPerSecond);
  const service = options.service;

  const app = Fastify({ bodyLimit: options.bodyLimitBytes, logger: false, trustProxy: false });

  // Form bodies (the Jimi default content type) without a plugin: URLSearchParams, last value wins.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: options.bodyLimitBytes },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  const refuse = (reply: FastifyReply, code: ApiErrorCode, detail: string, status?: number) => {
    errors.inc({ code });
    log.info({ code }, detail);
    return reply
      .code(status ?? HTTP_STATUS[code] ?? 400)
      .send({ code: status ?? HTTP_STATUS[code] ?? 400, msg: `${code}: ${detail}`, errorCode: code, data: null });
  };

  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      errors.inc({ code: 'IOTHUB_ERR_API_INTERNAL' });
      log.error({ err, code: 'IOTHUB_ERR_API_INTERNAL' }, 'request failed');
      return reply.code(500).send({
        code: 500,
        msg: 'IOTHUB_ERR_API_INTERNAL: internal error',
        errorCode: 'IOTHUB_ERR_API_INTERNAL',
        data: null,
      });
    }
    // Body too large (413), unparseable JSON (400), unsupported content type (415) …
    return refuse(reply, 'IOTHUB_ERR_API_BODY', `${err.code ?? 'bad request'}: ${err.message}`, status);
  });

  // Rate limit before anything else (also limits token guessing).
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    if (!limiter.allow(req.ip, Date.now())) {
      return refuse(
        reply,
        'IOTHUB_ERR_API_RATE_LIMIT',
        `more than ${options.rateLimitPerSecond} requests/s from ${req.ip}`,
      );
    }
  });

  // Token after the body is parsed (it is a body field), before any route handler.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const token = asBody(req.body).token;
    const given = typeof token === 'string' ? token : typeof token === 'number' ? String(token) : '';
    const digest = createHash('sha256').update(given).digest();
    if (given === '' || !timingSafeEqual(digest, expected)) {
      return refuse(reply, 'IOTHUB_ERR_API_TOKEN', given === '' ? 'token missing' : 'token wrong');
    }
  });

  const invalid = (reply: FastifyReply, err: unknown, raw: unknown) => {
    if (!(err instanceof FieldError)) throw err;
    errors.inc({ code: 'IOTHUB_ERR_API_FIELD' });
    log.info({ code: 'IOTHUB_ERR_API_FIELD', field: err.field }, err.message);
    const body = asBody(raw);
    const imei = typeof body.imei === 'string' ? body.imei : typeof body.deviceImei === 'string' ? body.deviceImei : '';
    const proNo = Number(body.proNo);
    return reply.send({
      code: 0,
      msg: 'success',
      data: {
        _code: INSTRUCT_CODES.INVALID,
        _msg: `Invalid parameter: ${err.message}`,
        _content: '',
        _imei: imei,
        _proNo: Number.isFinite(proNo) ? proNo : 0,
        _serverFlagId: body.serverFlagId ?? 0,
        _errorCode: 'IOTHUB_ERR_API_FIELD',
        _field: err.field,
      },
    });
  };

  const timed = (route: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const end = duration.startTimer({ route });
      try {
        return await handler(req, reply);
      } finally {
        end();
      }
    };
  };

  app.post(
    '/api/device/sendInstruct',
    timed('sendInstruct', async (req, reply) => {
      let parsed: ReturnType<typeof parseInstructRequest>;
      try {
        parsed = parseInstructRequest(req.body, options.limits);
      } catch (err) {
        return invalid(reply, err, req.body);
      }
      return reply.send(await service.sendInstruct(parsed));
    }),
  );

  app.post(
    '/api/device/queryOfflineInstruct',
    timed('queryOfflineInstruct', async (req, reply) => {
      const body = asBody(req.body);
      let imei: string;
      let type: string;
      try {
        imei = deviceImei(body);
        type = cmdType(body);
      } catch (err) {
        return invalid(reply, err, req.body);
      }
      const list = await service.listOffline(imei).catch((err: unknown) => {
        log.error({ err, code: 'IOTHUB_ERR_API_STORE' }, 'offline query failed');
        return null;
      });
      if (list === null) return refuse(reply, 'IOTHUB_ERR_API_STORE', 'offline-command store unavailable', 503);
      const now = Date.now();
      const items = list
        .filter((c) => type === 'normallns' || type === 'normallns-general' || c.cmdType === type)
        .map((c) => ({
          _id: c.id,
          _imei: c.deviceImei,
          _content: c.cmdContent,
          _proNo: c.proNo,
          _serverFlagId: c.serverFlagId,
          _type: c.cmdType,
          _language: c.language ?? null,
          _create_time: c.createdAt,
          // seconds this command still waits for its device
          _time_out: Math.max(0, Math.ceil((c.expiresAt - now) / 1000)),
        }));
      if (items.length === 0)
        return reply.send({ code: 20002, msg: 'The offline instruction could not be found', data: null });
      // Jimi returns `data` as a JSON string of one command: the oldest; `items` lists them all.
      return reply.send({ code: 0, msg: 'success', data: JSON.stringify(items[0]), count: items.length, items });
    }),
  );

  app.post(
    '/api/device/deleteOfflineInstruct',
    timed('deleteOfflineInstruct', async (req, reply) => {
      const body = asBody(req.body);
      let imei: string;
      let id: string | undefined;
      try {
        imei = deviceImei(body);
        cmdType(body);
        if (body.id !== undefined && body.id !== '') {
          if (typeof body.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body.id))
            throw new FieldError('id', 'expected an offline command id from the query API');
          id = body.id;
        }
      } catch (err) {
        return invalid(reply, err, req.body);
      }
      const n = await service.deleteOffline(imei, id).catch((err: unknown) => {
        log.error({ err, code: 'IOTHUB_ERR_API_STORE' }, 'offline delete failed');
        return null;
      });
      if (n === null) return refuse(reply, 'IOTHUB_ERR_API_STORE', 'offline-command store unavailable', 503);
      if (n === 0) return reply.send({ code: 20002, msg: 'The offline instruction could not be found', data: null });
      return reply.send({ code: 0, msg: 'success', data: { deleted: n } });
    }),
  );

  app.get('/api/openapi.json', async (_req, reply) => reply.send(openApiDocument()));
  app.get('/health', async (_req, reply) => reply.send({ status: 'ok', instance: service.instanceId }));
  app.get('/ready', async (_req, reply) => {
    const ok = options.ready ? options.ready() : true;
    return reply.code(ok ? 200 : 503).send({ ready: ok });
  });

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = (app.server.address() as AddressInfo).port;
  log.info({ port }, 'instruction API listening');
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

export { API_ERROR_CODES };
