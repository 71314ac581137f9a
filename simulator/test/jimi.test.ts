import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedDevice } from '../src/device.ts';
import { Fleet } from '../src/fleet.ts';
import { luhnDigit } from '../src/identity.ts';
import { AckServer, until } from './helpers/ack-server.ts';

const servers: AckServer[] = [];
const running: { stop(): Promise<void> }[] = [];

async function server(options: ConstructorParameters<typeof AckServer>[0] = { protocol: 'jimi' }) {
  const s = new AckServer(options);
  await s.listen();
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Jimi / GT06 device', () => {
  it('logs in with its IMEI, sends heartbeats 0x13, locations 0x22 and alarms 0x26, counts acks by protocol + serial', async () => {
    const s = await server();
    const d = new SimulatedDevice({
      protocol: 'jimi',
      host: '127.0.0.1',
      port: s.port,
      index: 3,
      rate: 0,
      heartbeatSeconds: 0,
    });
    running.push(d);
    d.start();
    await d.waitOnline(5000);
    expect(d.imei).toMatch(/^\d{15}$/);
    expect(luhnDigit(d.imei.slice(0, 14))).toBe(Number(d.imei[14]));
    const login = s.received[0]!;
    expect(login.type).toBe('login');
    expect(login.message.type === 'login' && login.message.body.imei).toBe(d.imei);
    d.sendHeartbeat();
    d.sendLocation();
    d.sendLocation();
    d.sendAlarm();
    await until(() => d.stats.acked.alarm === 1 && d.pendingAcks === 0, 5000, 'acks');
    expect(s.received.map((r) => r.id)).toEqual([0x01, 0x13, 0x22, 0x22, 0x26]);
    const serials = s.received.map((r) => r.serial);
    expect(new Set(serials).size).toBe(5);
    const loc = s.received[2]!.message;
    if (loc.type !== 'location' || loc.body.layout !== 'standard') throw new Error('not a location');
    expect(loc.body.gps.positioned).toBe(true);
    expect(loc.body.mileage).toBeGreaterThan(0);
    const alarm = s.received[4]!.message;
    expect(alarm.type === 'alarm' && alarm.body.layout === 'standard' && alarm.body.status.alarm).toBe('sos');
    const st = d.stats.snapshot();
    expect(st.sentByKind).toMatchObject({ login: 1, heartbeat: 1, location: 2, alarm: 1 });
    expect(st.acknowledged).toBe(5);
    expect(st.unacknowledged).toBe(0);
    expect(st.errorCount).toBe(0);
  });

  it('answers a 0x80 online command with 0x21 echoing the server flag', async () => {
    const s = await server();
    const commands: string[] = [];
    const d = new SimulatedDevice({
      protocol: 'jimi',
      host: '127.0.0.1',
      port: s.port,
      rate: 0,
      heartbeatSeconds: 0,
      hooks: { onCommand: (_d, _id, command) => commands.push(command ?? '') },
    });
    running.push(d);
    d.start();
    await d.waitOnline(5000);
    s.sendJimiCommand(d.imei, 'DYD,123456#', 0x01020304);
    s.sendJimiCommand(d.imei, 'WHERE#', 7);
    await until(() => s.count('command-reply') === 2, 5000, 'command replies');
    const replies = s.received.filter((r) => r.type === 'command-reply').map((r) => r.message);
    const first = replies[0]!;
    expect(first.type === 'command-reply' && first.body.serverFlag).toBe(0x01020304);
    expect(first.type === 'command-reply' && first.body.text).toContain('DYD,123456#');
    const where = replies[1]!;
    if (where.type !== 'command-reply') throw new Error('not a reply');
    expect(where.body.serverFlag).toBe(7);
    // The codec recognises the position text real devices send.
    expect(where.body.position?.latitude).toBeCloseTo(22.5, 0);
    expect(commands).toEqual(['DYD,123456#', 'WHERE#']);
    expect(d.stats.commands).toBe(2);
  });

  it.each([
    ['auto', 0, 0],
    ['yes', 2, 2],
  ] as const)('a server that does not ack 0x22, location acks %s: %i timeouts', async (mode, timeouts, unacked) => {
    const s = await server({ protocol: 'jimi', ackLocations: false });
    const d = new SimulatedDevice({
      protocol: 'jimi',
      host: '127.0.0.1',
      port: s.port,
      rate: 0,
      heartbeatSeconds: 0,
      ackTimeoutMs: 50,
      locationAck: mode,
    });
    running.push(d);
    d.start();
    await d.waitOnline(5000);
    d.sendLocation();
    d.sendLocation();
    d.sendAlarm();
    await until(() => d.pendingAcks === 0, 5000, 'acks or timeouts');
    const st = d.stats.snapshot();
    expect(st.acknowledgedByKind).toMatchObject({ login: 1, alarm: 1, location: 0 });
    expect(st.errors['IOTHUB_ERR_SIM_ACK_TIMEOUT'] ?? 0).toBe(timeouts);
    expect(st.unacknowledged).toBe(unacked);
  });

  it('reconnects after a drop and logs in again; a fleet spreads over source addresses', async () => {
    const s = await server();
    const fleet = new Fleet({
      protocol: 'jimi',
      count: 4,
      host: '127.0.0.1',
      port: s.port,
      rate: 20,
      heartbeatSeconds: 0,
      alarmEvery: 5,
      sourceAddresses: ['127.0.0.5', '127.0.0.6'],
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    });
    running.push(fleet);
    fleet.start();
    await fleet.waitOnline(5000);
    await until(() => fleet.stats.acked.alarm >= 4, 5000, 'alarms');
    s.dropAll();
    await until(() => fleet.stats.reconnects >= 4 && fleet.snapshot().states.online === 4, 5000, 'reconnected');
    expect(s.count('login')).toBe(8);
    expect(new Set(s.remoteAddresses)).toEqual(new Set(['127.0.0.5', '127.0.0.6']));
    const logins = s.received.filter((r) => r.type === 'login').map((r) => r.device);
    expect(new Set(logins).size).toBe(4);
    await fleet.stop({ drainMs: 2000 });
    const snap = fleet.snapshot();
    expect(snap.states.stopped).toBe(4);
    expect(snap.acknowledged).toBeGreaterThan(0);
  });
});
