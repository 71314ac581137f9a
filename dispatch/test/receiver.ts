/**
 * A real HTTP push receiver for the tests (`node:http` on 127.0.0.1, ephemeral port): records
 * every request (path, headers, parsed form or JSON) and answers according to `mode`:
 *
 *   ok        200 {"code":0,"msg":"success"}
 *   status500 500
 *   code1     200 {"code":1,"msg":"refused"}
 *   garbage   200 <html>…
 *   hang      never answers (the dispatcher's timeout fires)
 *   drop      destroys the connection without an answer
 *
 * `decide` overrides the mode per request (e.g. fail one in two).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ReceiverMode = 'ok' | 'status500' | 'code1' | 'garbage' | 'hang' | 'drop';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Form fields (Jimi profile). */
  form: Record<string, string>;
  /** `data_list` parsed (Jimi) or `events` (JSON profile). */
  records: Record<string, unknown>[];
  /** What the receiver answered. */
  answered: ReceiverMode;
}

export class Receiver {
  mode: ReceiverMode = 'ok';
  decide: ((req: ReceivedRequest, n: number) => ReceiverMode) | undefined;
  readonly requests: ReceivedRequest[] = [];
  /** Only the requests answered with success. */
  readonly accepted: ReceivedRequest[] = [];
  /** Answer successful requests after this many ms (a slower receiver: more requests in flight). */
  delayMs = 0;
  /** TCP connections accepted (keep-alive: far fewer than requests). */
  connections = 0;
  #server: Server;
  #sockets = new Set<Socket>();
  #hung: ServerResponse[] = [];
  port = 0;

  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.keepAliveTimeout = 30_000;
    this.#server.on('connection', (s) => {
      this.connections++;
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Accepted records, in the order they were accepted. */
  acceptedRecords(): Record<string, unknown>[] {
    return this.accepted.flatMap((r) => r.records);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: ReceivedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body,
        form: {},
        records: [],
        answered: 'ok',
      };
      const type = req.headers['content-type'] ?? '';
      try {
        if (type.startsWith('application/json')) {
          r.records = (JSON.parse(body) as { events: Record<string, unknown>[] }).events;
        } else {
          r.form = Object.fromEntries(new URLSearchParams(body));
          r.records = JSON.parse(r.form.data_list ?? '[]') as Record<string, unknown>[];
        }
      } catch {
        r.records = [];
      }
      const mode = this.decide?.(r, this.requests.length) ?? this.mode;
      r.answered = mode;
      this.requests.push(r);
      switch (mode) {
        case 'ok': {
          const answer = () => {
            this.accepted.push(r);
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"success"}');
          };
          if (this.delayMs > 0) setTimeout(answer, this.delayMs);
          else answer();
          return;
        }
        case 'status500':
          res.writeHead(500).end('internal error');
          return;
        case 'code1':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":1,"msg":"refused"}');
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
          return;
        case 'hang':
          this.#hung.push(res);
          return;
        case 'drop':
          req.socket.destroy();
          return;
      }
    });
  }

  async close(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** How a receiver verifies the signature (docs/push.md): HMAC-SHA256 over `<timestamp>.<body>`. */
export function verifySignature(secret: string, headers: IncomingMessage['headers'], body: string): boolean {
  const ts = headers['x-iothub-timestamp'];
  const sig = headers['x-iothub-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
  const a = Buffer.from(sig);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function waitFor(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
