/**
 * Helpers of the JT/T 808 gateway tests: a gateway on an ephemeral port with the in-memory bus,
 * route table and control channel, and a terminal client over real TCP that encodes with the codec
 * and collects the frames the gateway sends.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jt808 } from '@iothub/codec';
import { MemoryBus, MemoryControlChannel, MemoryRouteTable, type UplinkEvent } from '@iothub/core';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { LocalFileStore } from '../src/common/file-store.ts';
import { GatewayServer, type GatewayServerOptions } from '../src/common/server.ts';
import { type Jt808Frame, type Jt808SessionOptions, jt808Protocol } from '../src/jt808/index.ts';

export async function waitFor<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Env {
  bus: MemoryBus;
  routes: MemoryRouteTable;
  control: MemoryControlChannel;
  registry: Registry;
  mediaDir: string;
}

export function makeEnv(): Env {
  return {
    bus: new MemoryBus(),
    routes: new MemoryRouteTable(),
    control: new MemoryControlChannel(),
    registry: new Registry(),
    mediaDir: mkdtempSync(join(tmpdir(), 'iothub-media-')),
  };
}

export async function startGateway(
  env: Env,
  options: Partial<GatewayServerOptions<Jt808Frame>> = {},
  session: Jt808SessionOptions = {},
): Promise<GatewayServer<Jt808Frame>> {
  const gw = new GatewayServer<Jt808Frame>({
    protocol: jt808Protocol({ authCodeFor: (phone) => `AC${phone.slice(-6)}`, ...session }),
    gateId: 'gw-a',
    bus: env.bus,
    routes: env.routes,
    control: env.control,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    registry: env.registry,
    host: '127.0.0.1',
    fileStore: new LocalFileStore(env.mediaDir),
    tickMs: 20,
    ...options,
  });
  await gw.listen();
  return gw;
}

export interface Received {
  packet: jt808.Jt808Packet;
  /** The escaped wire frame, 7e … 7e, as hex. */
  wire: string;
}

/** A JT/T 808 terminal over TCP. */
export class Terminal {
  readonly socket: net.Socket;
  readonly received: Received[] = [];
  serial = 1;
  closed = false;
  private readonly framer = new jt808.Jt808Framer();

  constructor(
    port: number,
    readonly phone: string,
    readonly version: 2013 | 2019,
    prefix?: Buffer,
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
    });
    if (prefix) this.socket.write(prefix);
    this.socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk, {
        frame: (f) => {
          const r = jt808.decodeJt808Frame(f);
          if (r.ok) this.received.push({ packet: r, wire: wireHex(f) });
        },
        issue: () => undefined,
      });
    });
  }

  async connected(): Promise<void> {
    if (!this.socket.connecting) return;
    await new Promise<void>((resolve) => this.socket.once('connect', () => resolve()));
  }

  header(subpackage?: jt808.Jt808Subpackage): jt808.Jt808EncodeHeader {
    const h: jt808.Jt808EncodeHeader = { version: this.version, phone: this.phone, serial: this.serial++ & 0xffff };
    if (subpackage) h.subpackage = subpackage;
    return h;
  }

  /** Encode and send a message; returns the serial used. */
  send(message: Pick<jt808.Jt808KnownMessage, 'type' | 'body'>): number {
    const h = this.header();
    this.socket.write(jt808.encodeJt808(h, message));
    return h.serial;
  }

  sendRaw(msgId: number, body: Buffer): number {
    const serial = this.serial++ & 0xffff;
    this.socket.write(jt808.encodeJt808Raw({ msgId, version: this.version, phone: this.phone, serial }, body));
    return serial;
  }

  /** Wait for the `n`-th (1-based) received frame. */
  async nth(n: number): Promise<Received> {
    return waitFor(() => this.received[n - 1], `frame #${n} on ${this.phone}`);
  }

  async waitClosed(): Promise<void> {
    await waitFor(() => this.closed, `close of ${this.phone}`);
  }

  end(): void {
    this.socket.destroy();
  }

  /** Register and authenticate with the code the gateway issued; returns the frames consumed. */
  async login(): Promise<void> {
    const before = this.received.length;
    this.send({ type: 'terminal-register', body: registerBody(this.version) });
    const r = await this.nth(before + 1);
    const code = (r.packet.message as { body: { authCode?: string } }).body.authCode ?? '';
    this.send({ type: 'terminal-authentication', body: authBody(this.version, code) });
    const a = await this.nth(before + 2);
    const result = (a.packet.message as { body: { result: number } }).body.result;
    if (result !== 0) throw new Error(`authentication refused (${result})`);
  }
}

export function wireHex(unescaped: Buffer): string {
  return jt808.escapeAndWrap(unescaped.subarray(0, -1), unescaped[unescaped.length - 1]!).toString('hex');
}

export function registerBody(version: 2013 | 2019): jt808.Jt808BodyOf<'terminal-register'> {
  return {
    edition: version,
    provinceId: 44,
    cityId: 300,
    makerId: 'MAKER',
    model: 'MODEL-1',
    terminalId: 'T000001',
    plateColor: 1,
    plate: 'TEST123',
  };
}

export function authBody(version: 2013 | 2019, code: string): jt808.Jt808BodyOf<'terminal-authentication'> {
  return version === 2019
    ? { edition: 2019, authCode: code, imei: '860000000000001', softwareVersion: '1.0.0' }
    : { edition: 2013, authCode: code };
}

export function locationBody(alarm = 0): jt808.Jt808BodyOf<'location-report'> {
  return {
    alarm,
    status: 0x0002,
    latitude: 22.543096,
    longitude: 114.057865,
    altitude: 20,
    speed: 60.5,
    course: 90,
    time: new Date('2026-01-02T03:04:05Z'),
    alarms: [],
    items: [],
  } as unknown as jt808.Jt808BodyOf<'location-report'>;
}

/** The expected wire bytes (hex) of a gateway reply, encoded independently of the session. */
export function expected(t: Terminal, serial: number, message: Pick<jt808.Jt808KnownMessage, 'type' | 'body'>): string {
  const h: jt808.Jt808EncodeHeader = { version: t.version, phone: t.phone, serial };
  if (t.version === 2019) h.protocolVersion = 1;
  return jt808.encodeJt808(h, message).toString('hex');
}

export function events(bus: MemoryBus, kind: string): UplinkEvent[] {
  return bus.messages(`iothub.${kind}`).map((m) => JSON.parse(m.value.toString()) as UplinkEvent);
}

/** The body of the first fixture case of `file` (test/fixtures/jt808) in the given header version. */
export function fixtureBody(file: string, version: 2013 | 2019): Buffer {
  const path = new URL(`../../test/fixtures/jt808/${file}`, import.meta.url);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { cases: { wire: string; header: { version: number } }[] };
  const c = doc.cases.find((x) => x.header.version === version) ?? doc.cases[0]!;
  let body: Buffer | null = null;
  new jt808.Jt808Framer().push(Buffer.from(c.wire, 'hex'), {
    frame: (f) => {
      const layout = jt808.detectLayout(f);
      body = Buffer.from(f.subarray(layout.headerLength, f.length - 1));
    },
    issue: () => undefined,
  });
  if (!body) throw new Error(`no frame in ${file}`);
  return body;
}
