/**
 * One push request over HTTP(S) with keep-alive connection pools (`node:http` agents, at most
 * `maxSockets` connections per origin), a whole-request timeout, an optional HMAC-SHA256 signature,
 * and the success rule: HTTP 2xx and a JSON body `{"code":0}` (Jimi profile), or 2xx and, when the
 * body is a JSON object with a `code`, code 0 (JSON profile). Anything else is a failure with a
 * stable code. Never throws.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { DispatchErrorCode } from './errors.ts';

export type SendResult =
  | { ok: true; status: number }
  | { ok: false; code: DispatchErrorCode; detail: string; status?: number };

export interface SenderOptions {
  maxSockets: number;
  timeoutMs: number;
  hmacSecret: string | null;
}

/** Most answer bytes read (a `{"code":0}` is tiny; a larger body is cut and judged on what was read). */
const MAX_ANSWER = 64 * 1024;

export const SIGNATURE_HEADER = 'x-iothub-signature';
export const TIMESTAMP_HEADER = 'x-iothub-timestamp';

/** `sha256=<hex>` over `<timestamp>.<body>` (docs/push.md "Signature"). */
export function signature(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export class HttpSender {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #o: SenderOptions;

  constructor(options: SenderOptions) {
    this.#o = options;
    const agent = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      scheduling: 'fifo' as const,
    };
    this.#http = new http.Agent(agent);
    this.#https = new https.Agent(agent);
  }

  send(
    url: URL,
    text: string,
    contentType: string,
    strictJimi: boolean,
    headers: Record<string, string> = {},
  ): Promise<SendResult> {
    const body = Buffer.from(text, 'utf8');
    const h: Record<string, string | number> = {
      ...headers,
      'content-type': contentType,
      'content-length': body.length,
      'user-agent': 'iothub-dispatch/1',
    };
    if (this.#o.hmacSecret !== null) {
      const ts = String(Math.floor(Date.now() / 1000));
      h[TIMESTAMP_HEADER] = ts;
      h[SIGNATURE_HEADER] = signature(this.#o.hmacSecret, ts, body);
    }
    const tls = url.protocol === 'https:';
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = (tls ? https : http).request(
        url,
        { method: 'POST', headers: h, agent: tls ? this.#https : this.#http },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_ANSWER) chunks.push(c);
            size += c.length;
          });
          res.on('end', () =>
            finish(judge(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8', 0, MAX_ANSWER), strictJimi)),
          );
          res.on('error', (err) => finish({ ok: false, code: 'IOTHUB_ERR_PUSH_NETWORK', detail: err.message }));
        },
      );
      const timer = setTimeout(() => {
        finish({ ok: false, code: 'IOTHUB_ERR_PUSH_TIMEOUT', detail: `no answer within ${this.#o.timeoutMs} ms` });
        req.destroy();
      }, this.#o.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({ ok: false, code: 'IOTHUB_ERR_PUSH_NETWORK', detail: err.code ?? err.message }),
      );
      req.end(body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** The success rule on a complete answer. */
export function judge(status: number, body: string, strictJimi: boolean): SendResult {
  if (status < 200 || status > 299) {
    return { ok: false, code: 'IOTHUB_ERR_PUSH_HTTP_STATUS', detail: `HTTP ${status}: ${snippet(body)}`, status };
  }
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const code =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as { code?: unknown }).code
      : undefined;
  if (code === undefined) {
    if (!strictJimi) return { ok: true, status };
    return {
      ok: false,
      code: 'IOTHUB_ERR_PUSH_BAD_RESPONSE',
      detail: `HTTP ${status} without {"code":0}: ${snippet(body)}`,
      status,
    };
  }
  if (code === 0 || code === '0') return { ok: true, status };
  return {
    ok: false,
    code: 'IOTHUB_ERR_PUSH_REJECTED',
    detail: `code ${JSON.stringify(code)}: ${snippet(body)}`,
    status,
  };
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}…` : s === '' ? '(empty body)' : s;
}
