/**
 * Helpers of the Jimi gateway tests: frames from hex, a GT06 device client over real TCP, a gateway
 * on an ephemeral port with in-memory bus, route table and control channel.
 */
import net from 'node:net';
import { type CodecIssue, gt06 } from '@iothub/codec';
import {
  type Bus,
  type BusRecord,
  MemoryBus,
  MemoryControlChannel,
  MemoryRouteTable,
  type SubscribeOptions,
  type UplinkEvent,
} from '@iothub/core';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { GatewayServer, type GatewayServerOptions } from '../src/common/server.ts';
import { type JimiFrame, JimiFramer, type JimiProtocolOptions, jimiProtocol } from '../src/jimi/index.ts';

export const IMEI = '868120145233604';

/** Frames of the project fixtures (test/fixtures/gt06), by name. */
export const FIX = {
  login5: '78781101075253367890024270003201000512790d0a',
  cloneLogin: '78780d010861234567890123220d0a',
  heartbeat: '78780a134004040001000fdcee0d0a',
  heartbeatVoltage: '78780b23050f9204000200088a370d0a',
  location22: '787822220f0c1d023305c9027ac8180c46586000140001cc00287d001f71000001000820860d0a',
  locationA0: '78782ea0190102030405cb04b041a00884c94050dd0e812e02620000a1b2000000000a1b2c3d0103000001e240020353920d0a',
  alarm26: '7878252612030c063816c3026c10540c38c9700144030901cc002866000eee0c06040302000da2db0d0a',
  alarm27: '78782a27150817073b10c5027ac91c0c4658000005370901cc00287d001f7140040307120300000457004425c50d0a',
  alarmA4: '78782ea4150817073b10c6026c18720c38d22800149c1181cc00010000260e000000000615f8012c05041302ff00105a4f0d0a',
  alarm16: '7878251611070a150e24c0006e70110442fc8000000008028005006800124b470603300204ba5fb80d0a',
  lbsAlarm19: '7878121901cc00287d001f71200404010100946c890d0a',
  lbsAlarmA5: '787819a5012ed0000075df000000000098661502050413000019a12b0d0a',
  lbs28:
    '78783b2810010d02020201cc00287d001f713e287d001f7231287d001e232d287d001f4018000000000000000000000000000000000000ff00020005b14b0d0a',
  wifi2c:
    '7878482c10060e022d3501cc00287d001f712d287d001e1725287d001e231e287d001f721c287d001f4012000000000000000000000000ff028089174498b45ccc7b353661a65b001fa0040d0a',
  wifiBcd69: '787802691611041509301475905bd30e25001e10bbf7635d0201cc0028660f213228660f1f280d0a',
  wifiBcd17: '787800171710231108290100cc080c4e2fa5640d0a',
  wifiBcd69Reply: '787800691611041509300d0a',
  time8a: '7878058a000688290d0a',
  address2a: '78782e2a0f0c1d071139ca027ac8000c4658000014d83132353230313335333231373730373900000000000001002a6ece0d0a',
  address1a: '78782e1a0f0c1d071139c5027ac8000c4658000a140031333830303133383030300000000000000000000000020031de100d0a',
  info94: '797900089400049f000389e80d0a',
  transparent9b: '797900149b030231423030313346373737383803000be8e90d0a',
  camera95: '78780c95130a0209321c90000112800d0a',
  clone10: '7878121011091c0b1e2e98058507f00097a6a803344a0d0a',
  clone11: '7878151111091c0b1e2ec8058507f00097a6a8001400ffdd000d0a',
  clone13: '7878051346050300020d0a',
} as const;

export function hex(h: string): Buffer {
  return Buffer.from(h, 'hex');
}

/** A login frame built with the codec's encoder. */
export function loginFrame(imei: string, serial: number): Buffer {
  return gt06.encodeGt06({ serial }, { type: 'login', protocol: 0x01, body: { imei } });
}

/** A 0x21 command reply (long header) echoing `serverFlag`. */
export function commandReplyFrame(serverFlag: number, text: string, serial: number): Buffer {
  return gt06.encodeGt06(
    { start: 'long', serial },
    { type: 'command-reply', protocol: 0x21, body: { serverFlag, encoding: 1, text } },
  );
}

/** A 0x15 command reply (short header) echoing `serverFlag`. */
export function shortCommandReplyFrame(serverFlag: number, text: string, serial: number): Buffer {
  return gt06.encodeGt06(
    { serial },
    { type: 'command-reply-short', protocol: 0x15, body: { serverFlag, text, language: 2 } },
  );
}

/** Frames (and issues) the gateway's own framer makes of some bytes. */
export function framesOf(bytes: Buffer): { frames: JimiFrame[]; issues: CodecIssue[] } {
  const frames: JimiFrame[] = [];
  const issues: CodecIssue[] = [];
  new JimiFramer({ maxFrameSize: 4096 }).push(bytes, {
    frame: (f) => frames.push(f),
    issue: (i) => issues.push(i),
  });
  return { frames, issues };
}

export function frameOf(bytes: Buffer | string): JimiFrame {
  const { frames } = framesOf(typeof bytes === 'string' ? hex(bytes) : bytes);
  if (frames.length !== 1) throw new Error(`expected one frame, got ${frames.length}`);
  return frames[0]!;
}

/** Value of a counter in the registry for the labels given (0 when absent). */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Poll `cond` until it is truthy (or throw after `timeoutMs`). */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A GT06 device over real TCP: writes frames, splits what the gateway sends into frames. */
export class Device {
  readonly socket: net.Socket;
  readonly received: Buffer[] = [];
  closed = false;
  readonly #framer = new gt06.Gt06Framer();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const sink: gt06.Gt06FrameSink = {
      frame: (f) => this.received.push(Buffer.from(f)),
      issue: () => undefined,
    };
    socket.on('data', (chunk: Buffer) => this.#framer.push(chunk, sink));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<Device> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve(new Device(s));
      });
      s.once('error', reject);
    });
  }

  send(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? hex(bytes) : bytes);
  }

  /** The next received frame (in order), consuming it. */
  async next(timeoutMs = 5000): Promise<Buffer> {
    await waitFor(() => this.received.length > 0, timeoutMs, 'a frame from the gateway');
    return this.received.shift()!;
  }

  /** Sends a frame and waits for one reply. */
  async request(bytes: Buffer | string): Promise<Buffer> {
    this.send(bytes);
    return this.next();
  }

  waitClosed(timeoutMs = 5000): Promise<boolean> {
    return waitFor(() => this.closed, timeoutMs, 'the connection to close');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The memory bus with publish attempts and failures counted (to wait for a publish without sleeping). */
export class CountingBus implements Bus {
  attempts = 0;
  failures = 0;
  constructor(readonly inner: MemoryBus) {}
  async publish(records: BusRecord[]): Promise<void> {
    this.attempts++;
    try {
      await this.inner.publish(records);
    } catch (err) {
      this.failures++;
      throw err;
    }
  }
  subscribe(options: SubscribeOptions) {
    return this.inner.subscribe(options);
  }
  isReady(): boolean {
    return this.inner.isReady();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface TestGateway {
  server: GatewayServer<JimiFrame>;
  bus: MemoryBus;
  counting: CountingBus;
  registry: Registry;
  routes: MemoryRouteTable;
  control: MemoryControlChannel;
  port: number;
  /** Events published on `iothub.<kind>`, decoded. */
  events(kind: string): UplinkEvent[];
  /** All events of every kind, in no particular order across kinds. */
  allEvents(): UplinkEvent[];
  close(): Promise<void>;
}

const KINDS = [
  'session',
  'heartbeat',
  'location',
  'alarm',
  'lbs',
  'wifi',
  'command-reply',
  'transparent',
  'info',
  'unknown',
];

export async function startGateway(
  protocolOptions: JimiProtocolOptions = {},
  serverOptions: Partial<GatewayServerOptions<JimiFrame>> = {},
): Promise<TestGateway> {
  const bus = new MemoryBus();
  const counting = new CountingBus(bus);
  const registry = new Registry();
  const routes = new MemoryRouteTable();
  const control = new MemoryControlChannel();
  const server = new GatewayServer<JimiFrame>({
    protocol: jimiProtocol(protocolOptions),
    gateId: 'jimi-test',
    bus: counting,
    routes,
    control,
    logger: pino({ level: 'silent' }),
    registry,
    host: '127.0.0.1',
    port: 0,
    tickMs: 20,
    ...serverOptions,
  });
  await server.listen();
  const events = (kind: string): UplinkEvent[] =>
    bus.messages(`iothub.${kind}`).map((m) => JSON.parse(m.value.toString()) as UplinkEvent);
  return {
    server,
    bus,
    counting,
    registry,
    routes,
    control,
    port: server.port,
    events,
    allEvents: () => KINDS.flatMap(events),
    async close() {
      await server.close();
      await bus.close();
      await control.close();
      await routes.close();
    },
  };
}
