/**
 * Helpers of the instruction API tests: a "world" of real gateway apps (TCP, ephemeral ports), the
 * instruction API on top (real HTTP), sharing one in-memory bus / route table / control channel
 * unless others are given; raw TCP devices that log in and then never answer (for 600 and for
 * byte-exact checks of what a device receives); polling without timing assertions.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gt06, jt808 } from '@iothub/codec';
import {
  type Bus,
  type ControlChannel,
  type IothubConfig,
  loadConfig,
  MemoryBus,
  MemoryControlChannel,
  MemoryRouteTable,
  type RouteTable,
  type UplinkEvent,
} from '@iothub/core';
import { type GatewayApp, startGatewayApp } from '@iothub/gateways';
import { type SimProtocol, SimulatedDevice } from '@iothub/simulator';
import { pino } from 'pino';
import { type InstructionApp, type InstructionAppOptions, startInstructionApp } from '../src/app.ts';

export const TOKEN = 'test-token-0123456789';

export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function testConfig(env: Record<string, string> = {}): IothubConfig {
  return loadConfig(
    {
      JT808_PORT: '0',
      JIMI_PORT: '0',
      API_PORT: '0',
      ADMIN_PORT: 'off',
      API_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
      MEDIA_DIR: mkdtempSync(join(tmpdir(), 'iothub-api-media-')),
      ...env,
    },
    { hostname: 'test' },
  );
}

export interface Shared {
  bus: Bus;
  routes: RouteTable;
  control: ControlChannel;
}

export function memoryShared(): Shared & { bus: MemoryBus } {
  return { bus: new MemoryBus(), routes: new MemoryRouteTable(), control: new MemoryControlChannel() };
}

let gateSeq = 0;

/** Both gateways of one app on ephemeral ports; a unique GATE_ID (`gw<n>-jt808`, `gw<n>-jimi`). */
export async function startGateways(shared: Shared, env: Record<string, string> = {}): Promise<GatewayApp> {
  return startGatewayApp(testConfig({ GATE_ID: `gw${++gateSeq}-${process.pid}`, ...env }), {
    protocols: ['jt808', 'jimi'],
    host: '127.0.0.1',
    bus: shared.bus,
    routes: shared.routes,
    control: shared.control,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  });
}

export async function startApi(
  shared: Shared,
  env: Record<string, string> = {},
  options: InstructionAppOptions = {},
): Promise<InstructionApp> {
  return startInstructionApp(testConfig(env), {
    host: '127.0.0.1',
    bus: shared.bus,
    routes: shared.routes,
    control: shared.control,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    ...options,
  });
}

export function portOf(app: GatewayApp, protocol: 'jt808' | 'jimi'): number {
  const s = app.servers.find((x) => x.protocol.name === protocol);
  if (!s) throw new Error(`no ${protocol} gateway`);
  return s.port;
}

let nextIndex = Math.floor(Math.random() * 1_000_000);

/** A simulated device (no periodic traffic) started against `port`; resolves once online. */
export async function device(
  protocol: SimProtocol,
  port: number,
  options: { index?: number } = {},
): Promise<SimulatedDevice> {
  const d = new SimulatedDevice({
    protocol,
    host: '127.0.0.1',
    port,
    index: options.index ?? nextIndex++,
    rate: 0,
    heartbeatSeconds: 0,
    reconnect: { minDelayMs: 50, maxDelayMs: 200 },
  });
  d.start();
  await d.waitOnline(10_000);
  return d;
}

export async function post(
  port: number,
  path: string,
  fields: Record<string, string | number | boolean>,
  as: 'form' | 'json' = 'form',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const withToken = { token: TOKEN, ...fields };
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': as === 'form' ? 'application/x-www-form-urlencoded' : 'application/json' },
    body:
      as === 'form'
        ? new URLSearchParams(Object.entries(withToken).map(([k, v]): [string, string] => [k, String(v)])).toString()
        : JSON.stringify(withToken),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export type Data = Record<string, unknown> & { _code: string; _content: string; _proNo: number };

export async function instruct(
  port: number,
  fields: Record<string, string | number | boolean>,
  as: 'form' | 'json' = 'form',
): Promise<{ status: number; code: unknown; msg: unknown; data: Data }> {
  const r = await post(
    port,
    '/api/device/sendInstruct',
    { serverFlagId: 1, platform: 'web', requestId: 1, cmdType: 'normallns', ...fields },
    as,
  );
  return { status: r.status, code: r.body.code, msg: r.body.msg, data: r.body.data as Data };
}

/** The `instruct-result` events on a memory bus, parsed (reads the retained log through a fresh group). */
export async function instructResults(
  bus: Bus,
  prefix = 'iothub',
): Promise<{ events: UplinkEvent[]; close: () => Promise<void> }> {
  const events: UplinkEvent[] = [];
  const sub = await bus.subscribe({
    topics: [`${prefix}.instruct-result`],
    groupId: `test-${Math.random()}`,
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch) events.push(JSON.parse(m.value.toString()) as UplinkEvent);
    },
  });
  return { events, close: () => sub.close() };
}

// ---------------------------------------------------------------------------------------------
// Raw devices: log in, record what arrives, never answer commands.

export class SilentJt808Device {
  readonly socket: net.Socket;
  readonly received: { msgId: number; body: Buffer; message: jt808.Jt808Message }[] = [];
  #serial = 1;
  readonly #framer = new jt808.Jt808Framer();

  constructor(
    port: number,
    readonly phone: string,
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.#framer.push(chunk, {
        frame: (f) => {
          const r = jt808.decodeJt808Frame(f);
          if (!r.ok) return;
          const bodyStart = r.header.version === 2019 ? 17 : 12;
          this.received.push({
            msgId: r.header.msgId,
            body: Buffer.from(f.subarray(bodyStart, f.length - 1)),
            message: r.message,
          });
        },
        issue: () => undefined,
      });
    });
  }

  #send(message: Pick<jt808.Jt808KnownMessage, 'type' | 'body'>): void {
    this.socket.write(jt808.encodeJt808({ version: 2013, phone: this.phone, serial: this.#serial++ }, message));
  }

  async login(): Promise<void> {
    this.#send({
      type: 'terminal-register',
      body: {
        edition: 2013,
        provinceId: 44,
        cityId: 300,
        makerId: 'MAKER',
        model: 'MODEL-1',
        terminalId: 'T000001',
        plateColor: 1,
        plate: 'TEST123',
      },
    } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>);
    const reg = await waitFor(() => this.received.find((r) => r.msgId === 0x8100), 'register response');
    const code = (reg.message as { body: { authCode?: string } }).body.authCode ?? '';
    this.#send({ type: 'terminal-authentication', body: { edition: 2013, authCode: code } } as Pick<
      jt808.Jt808KnownMessage,
      'type' | 'body'
    >);
    await waitFor(() => this.received.find((r) => r.msgId === 0x8001), 'auth response');
  }

  end(): void {
    this.socket.destroy();
  }
}

export class SilentJimiDevice {
  readonly socket: net.Socket;
  readonly received: gt06.Gt06Message[] = [];
  readonly #framer = new gt06.Gt06Framer();

  constructor(
    port: number,
    readonly imei: string,
  ) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.#framer.push(chunk, {
        frame: (f, ok) => {
          const r = gt06.decodeGt06Frame(f, ok);
          if (r.ok) this.received.push(r.message);
        },
        issue: () => undefined,
      });
    });
  }

  async login(): Promise<void> {
    this.socket.write(gt06.encodeGt06({ serial: 1 }, { type: 'login', protocol: 0x01, body: { imei: this.imei } }));
    await waitFor(() => this.received.length > 0, 'login ack');
  }

  end(): void {
    this.socket.destroy();
  }
}
