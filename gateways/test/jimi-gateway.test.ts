/**
 * The Jimi gateway over real TCP on 127.0.0.1: GT06 device clients against a `GatewayServer`
 * serving `jimiProtocol()`, with the in-memory bus, route table and control channel.
 */
import { gt06 } from '@iothub/codec';
import type { CommandResult, ControlMessage } from '@iothub/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { JimiProtocolOptions } from '../src/jimi/index.ts';
import {
  commandReplyFrame,
  counterValue,
  Device,
  FIX,
  framesOf,
  hex,
  IMEI,
  loginFrame,
  startGateway,
  type TestGateway,
  waitFor,
} from './jimi-helpers.ts';

let gateways: TestGateway[] = [];
let devices: Device[] = [];

afterEach(async () => {
  for (const d of devices) d.close();
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
  devices = [];
});

async function gateway(
  protocolOptions: JimiProtocolOptions = {},
  serverOptions: Parameters<typeof startGateway>[1] = {},
): Promise<TestGateway> {
  const g = await startGateway(protocolOptions, serverOptions);
  gateways.push(g);
  return g;
}

async function device(g: TestGateway): Promise<Device> {
  const d = await Device.connect(g.port);
  devices.push(d);
  return d;
}

/** A device that has logged in (ack received). */
async function loggedIn(g: TestGateway, imei = IMEI): Promise<Device> {
  const d = await device(g);
  expect((await d.request(loginFrame(imei, 1))).toString('hex')).toBe(ack(0x01, 1));
  return d;
}

function ack(protocol: number, serial: number): string {
  return gt06.encodeGt06({ serial }, { type: 'ack', protocol, body: {} }).toString('hex');
}

function decode(frame: Buffer): gt06.Gt06Message {
  const r = gt06.decodeGt06Frame(frame);
  if (!r.ok) throw new Error(r.issue.code);
  return r.message;
}

/** Listens on the control channel as a router would; returns the results received. */
async function router(g: TestGateway, address = 'router-test'): Promise<Map<string, CommandResult>> {
  const results = new Map<string, CommandResult>();
  await g.control.listen(address, (m: ControlMessage) => {
    if (m.type === 'command-result') results.set(m.commandId, m.result);
  });
  return results;
}

function sendCommand(g: TestGateway, commandId: string, text: string, imei = IMEI): Promise<void> {
  return g.control.send(g.server.gateId, {
    type: 'command',
    commandId,
    deviceImei: imei,
    replyTo: 'router-test',
    deadline: Date.now() + 30_000,
    command: { kind: 'jimi-text', text },
  });
}

describe('Jimi gateway over TCP', () => {
  it('acknowledges the login byte-exactly, claims the route and publishes the login', async () => {
    const g = await gateway();
    const d = await device(g);
    expect((await d.request(loginFrame(IMEI, 5))).toString('hex')).toBe('7878050100059ff80d0a');
    const route = await waitFor(() => g.routes.get(IMEI), 5000, 'the route');
    expect(route).toMatchObject({ deviceImei: IMEI, gateId: 'jimi-test', protocol: 'jimi' });
    const [login] = g.events('session');
    expect(login).toMatchObject({ kind: 'session', deviceImei: IMEI, msgId: 1, serial: 5, connId: route.connId });
    expect(login!.data).toMatchObject({ state: 'login', remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('acks heartbeats and alarms, answers time and address requests', async () => {
    const g = await gateway();
    const d = await loggedIn(g);
    expect((await d.request(FIX.heartbeat)).toString('hex')).toBe(ack(0x13, 15));
    expect((await d.request(FIX.heartbeatVoltage)).toString('hex')).toBe(ack(0x23, 8));
    expect((await d.request(FIX.alarm26)).toString('hex')).toBe(ack(0x26, 13));
    expect((await d.request(FIX.lbsAlarm19)).toString('hex')).toBe(ack(0x19, 148));

    const before = Date.now();
    const time = decode(await d.request(FIX.time8a));
    const after = Date.now();
    expect(time.type).toBe('time-response');
    if (time.type === 'time-response') {
      // Whole seconds on the wire.
      expect(time.body.time!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(time.body.time!.getTime()).toBeLessThanOrEqual(after);
    }

    const address = await d.request(FIX.address1a);
    expect(address.subarray(0, 2).toString('hex')).toBe('7979');
    expect(decode(address)).toMatchObject({
      type: 'address-reply',
      protocol: 0x97,
      // The fixture has a GPS fix: its position is the address (docs/lbs.md).
      body: { tag: 'ALARMSMS', address: expect.stringMatching(/^http:\/\/maps\.google\.com\/maps\?q=/) },
    });

    await waitFor(() => g.events('alarm').length === 2, 5000, 'two alarms');
    expect(g.events('heartbeat')).toHaveLength(2);
    expect(
      g
        .events('alarm')
        .map((e) => e.msgId)
        .sort(),
    ).toEqual([0x19, 0x26]);
  });

  it('publishes a location with its fields, without acknowledging it', async () => {
    const g = await gateway();
    const d = await loggedIn(g);
    d.send(FIX.location22);
    d.send(FIX.locationA0);
    // The next frame the device receives is the heartbeat ack: the locations got no reply.
    expect((await d.request(FIX.heartbeat)).toString('hex')).toBe(ack(0x13, 15));
    const locations = await waitFor(() => (g.events('location').length === 2 ? g.events('location') : null));
    const byMsg = new Map(locations.map((e) => [e.msgId, e]));
    expect(byMsg.get(0x22)).toMatchObject({
      deviceImei: IMEI,
      protocol: 'jimi',
      serial: 8,
      type: 'location',
      deviceTime: '2015-12-29T02:51:05.000Z',
      raw: FIX.location22,
      data: {
        satellites: 9,
        speed: 0,
        positioned: true,
        reupload: true,
        cell: { mcc: 460, lac: 0x287d, cellId: 0x1f71 },
      },
    });
    expect(byMsg.get(0x22)!.data.latitude).toBeCloseTo(0x027ac818 / 1_800_000, 9);
    expect(byMsg.get(0xa0)).toMatchObject({ serial: 515, data: { reupload: false, mileage: expect.any(Number) } });
    const [bus] = g.bus.messages('iothub.location');
    expect(bus!.key).toBe(IMEI);
  });

  it('acks locations when ackLocations is set', async () => {
    const g = await gateway({ ackLocations: true });
    const d = await loggedIn(g);
    expect((await d.request(FIX.location22)).toString('hex')).toBe(ack(0x22, 8));
  });

  it('does not answer or publish frames before the login', async () => {
    const g = await gateway();
    const d = await device(g);
    d.send(FIX.heartbeat);
    d.send(FIX.location22);
    d.send(FIX.alarm26);
    // The first frame the device gets back is the login ack.
    expect((await d.request(loginFrame(IMEI, 2))).toString('hex')).toBe(ack(0x01, 2));
    expect(g.events('heartbeat')).toEqual([]);
    expect(g.events('location')).toEqual([]);
    expect(g.events('alarm')).toEqual([]);
    const ignored = await counterValue(g.registry, 'iothub_gateway_session_issues_total', {
      protocol: 'jimi',
      code: 'IOTHUB_ERR_NOT_AUTHENTICATED',
    });
    expect(ignored).toBe(3);
  });

  it('closes a connection that keeps sending without logging in', async () => {
    const g = await gateway({ maxFramesBeforeLogin: 3 });
    const d = await device(g);
    for (let i = 0; i < 4; i++) d.send(FIX.heartbeat);
    await d.waitClosed();
    expect(d.received).toEqual([]);
  });

  it('a second login of the same IMEI closes the older connection; the route follows', async () => {
    const g = await gateway();
    const first = await loggedIn(g);
    const firstRoute = await waitFor(() => g.routes.get(IMEI));
    const second = await loggedIn(g);
    await first.waitClosed();
    const route = await waitFor(async () => {
      const r = await g.routes.get(IMEI);
      return r && r.connId !== firstRoute.connId ? r : null;
    });
    expect(route.gateId).toBe('jimi-test');
    expect((await second.request(FIX.heartbeat)).toString('hex')).toBe(ack(0x13, 15));
    const closed = await waitFor(() => g.events('session').find((e) => e.data.state === 'closed'));
    expect(closed).toMatchObject({ connId: firstRoute.connId, data: { reason: 'IOTHUB_ERR_DUPLICATE_LOGIN' } });
  });

  it('withholds acknowledgements while the bus is down (durable acknowledgement)', async () => {
    const g = await gateway();
    const d = await loggedIn(g);
    g.bus.setAvailable(false);
    d.send(gt06.encodeGt06Raw({ serial: 100 }, 0x13, hex('4004040001')));
    // Give the failed publish a chance to settle before the bus returns (poll the metric, no sleep).
    await waitFor(() => g.counting.failures === 1, 5000, 'the failed publish');
    g.bus.setAvailable(true);
    const reply = await d.request(gt06.encodeGt06Raw({ serial: 101 }, 0x13, hex('4004040001')));
    expect(reply.toString('hex')).toBe(ack(0x13, 101));
    expect(g.events('heartbeat').map((e) => e.serial)).toEqual([101]);
  });

  it('reassembles a login sent byte by byte and frames glued together', async () => {
    const g = await gateway();
    const d = await device(g);
    for (const b of loginFrame(IMEI, 9)) d.send(Buffer.from([b]));
    expect((await d.next()).toString('hex')).toBe(ack(0x01, 9));
    d.send(Buffer.concat([hex(FIX.heartbeat), hex(FIX.alarm26)]));
    expect((await d.next()).toString('hex')).toBe(ack(0x13, 15));
    expect((await d.next()).toString('hex')).toBe(ack(0x26, 13));
  });
});

describe('Jimi gateway downlink', () => {
  it('sends a 0x80 command and reports the device 0x21 reply', async () => {
    const g = await gateway();
    const results = await router(g);
    const d = await loggedIn(g);
    await waitFor(() => g.server.byDevice.get(IMEI));
    await sendCommand(g, 'c-1', 'WHERE#');
    const cmd = decode(await d.next());
    expect(cmd.type).toBe('online-command');
    if (cmd.type !== 'online-command') return;
    expect(cmd.body.command).toBe('WHERE#');
    d.send(
      commandReplyFrame(
        cmd.body.serverFlag,
        'Current position!Lat:N22.543300,Lon:E114.044800,Course:0.00,Speed:0.00,DateTime:2024-05-06 12:00:00',
        7,
      ),
    );
    const result = await waitFor(() => results.get('c-1'));
    expect(result).toMatchObject({
      status: 'replied',
      msgId: 0x21,
      reply: { serverFlag: cmd.body.serverFlag, position: { latitude: 22.5433 } },
    });
    const replies = await waitFor(() => (g.events('command-reply').length > 0 ? g.events('command-reply') : null));
    expect(replies[0]).toMatchObject({ kind: 'command-reply', deviceImei: IMEI, data: { commandId: 'c-1' } });
  });

  it('reports a timeout when the device does not answer', async () => {
    const g = await gateway({ commandTimeoutMs: 150 });
    const results = await router(g);
    const d = await loggedIn(g);
    await waitFor(() => g.server.byDevice.get(IMEI));
    await sendCommand(g, 'c-2', 'Relay,1#');
    expect(decode(await d.next())).toMatchObject({ type: 'online-command', body: { command: 'Relay,1#' } });
    expect(await waitFor(() => results.get('c-2'))).toEqual({ status: 'timeout' });
  });

  it('answers offline for a device that is not connected', async () => {
    const g = await gateway();
    const results = await router(g);
    await sendCommand(g, 'c-3', 'WHERE#', '123456789012345');
    expect(await waitFor(() => results.get('c-3'))).toEqual({ status: 'offline' });
  });
});

describe('Jimi gateway bad input', () => {
  it('closes a connection sending garbage; the other device is unaffected', async () => {
    const g = await gateway({}, { maxGarbageBytes: 1024 });
    const good = await loggedIn(g);
    const bad = await device(g);
    // Keep sending bytes that are no frame until the gateway closes (bounded: 1 MiB).
    const junk = Buffer.alloc(4096, 0x41);
    for (let sent = 0; !bad.closed && sent < 1 << 20; sent += junk.length) {
      await new Promise<void>((resolve) => bad.socket.write(junk, () => resolve()));
    }
    await bad.waitClosed();
    expect((await good.request(FIX.heartbeat)).toString('hex')).toBe(ack(0x13, 15));
    expect(good.closed).toBe(false);
  });

  it('closes a connection sending an oversized frame; the other device is unaffected', async () => {
    const g = await gateway({}, { maxFrameSize: 1024 });
    const good = await loggedIn(g);
    const bad = await loggedIn(g, '123456789012345');
    // A long frame declaring 0xFFFF bytes, then no frame end within the limit.
    bad.send(Buffer.concat([hex('7979ffff22'), Buffer.alloc(4096, 0x55)]));
    await bad.waitClosed();
    expect((await good.request(FIX.alarm26)).toString('hex')).toBe(ack(0x26, 13));
    expect(good.closed).toBe(false);
  });

  it('keeps a connection whose frame has a bad CRC (flagged, still decoded, §2.3)', async () => {
    const g = await gateway();
    const d = await loggedIn(g);
    const frame = hex(FIX.heartbeat);
    frame.writeUInt8(frame.readUInt8(frame.length - 3) ^ 0xff, frame.length - 3);
    expect(framesOf(frame).frames[0]!.header.crcOk).toBe(false);
    expect((await d.request(frame)).toString('hex')).toBe(ack(0x13, 15));
  });
});
