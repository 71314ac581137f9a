import { jt808 } from '@iothub/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedDevice } from '../src/device.ts';
import { Fleet } from '../src/fleet.ts';
import { AckServer, until } from './helpers/ack-server.ts';

const servers: AckServer[] = [];
const devices: { stop(): Promise<void> }[] = [];

async function server(options: ConstructorParameters<typeof AckServer>[0] = { protocol: 'jt808' }) {
  const s = new AckServer(options);
  await s.listen();
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe.each([2013, 2019] as const)('JT/T 808 %i', (version) => {
  const protocol = version === 2019 ? 'jt808-2019' : 'jt808-2013';

  it('registers, authenticates with the issued code, sends heartbeats / locations / alarms / batches, counts acks', async () => {
    const s = await server();
    const d = new SimulatedDevice({
      protocol,
      host: '127.0.0.1',
      port: s.port,
      index: 7,
      rate: 0,
      heartbeatSeconds: 0,
    });
    devices.push(d);
    d.start();
    await d.waitOnline(5000);
    expect(s.received.map((r) => r.type)).toEqual(['terminal-register', 'terminal-authentication']);
    const reg = s.received[0]!;
    expect(reg.version).toBe(version);
    expect(reg.device).toHaveLength(version === 2019 ? 20 : 12);
    expect(jt808.phoneToDeviceId(reg.device)).toBe(d.deviceId);
    const auth = s.received[1]!.message;
    expect(auth.type === 'terminal-authentication' && auth.body.authCode).toBe(AckServer.authCodeFor(d.phone));
    if (version === 2019 && auth.type === 'terminal-authentication' && auth.body.edition === 2019) {
      expect(auth.body.imei).toBe(d.imei);
    }

    expect(d.sendHeartbeat()).toBe(true);
    for (let i = 0; i < 5; i++) expect(d.sendLocation()).toBe(true);
    expect(d.sendAlarm()).toBe(true);
    expect(d.sendBatch(3)).toBe(true);
    await until(() => d.pendingAcks === 0 && d.stats.acked.batch === 1, 5000, 'acks');

    const locs = s.received.filter((r) => r.type === 'location-report');
    expect(locs).toHaveLength(6);
    const first = locs[0]!.message;
    if (first.type !== 'location-report') throw new Error('not a location');
    const kinds = first.body.items.map((i) => i.kind);
    expect(kinds).toEqual(['mileage', 'signalStrength', 'satellites']);
    expect(Math.abs(first.body.latitude)).toBeLessThanOrEqual(90);
    expect(first.body.time).toBeInstanceOf(Date);
    const alarm = locs[5]!.message;
    expect(alarm.type === 'location-report' && alarm.body.alarm).not.toBe(0);
    const batch = s.received.find((r) => r.type === 'location-batch')!.message;
    expect(batch.type === 'location-batch' && batch.body.entries).toHaveLength(3);

    const st = d.stats.snapshot();
    expect(st.sentByKind).toMatchObject({ register: 1, auth: 1, heartbeat: 1, location: 5, alarm: 1, batch: 1 });
    expect(st.acknowledgedByKind).toMatchObject({
      register: 1,
      auth: 1,
      heartbeat: 1,
      location: 5,
      alarm: 1,
      batch: 1,
    });
    expect(st.acknowledged).toBe(10);
    expect(st.unacknowledged).toBe(0);
    expect(st.positions).toBe(9);
    expect(st.latency.count).toBe(10);
    expect(st.latency.p99).not.toBeNull();
    expect(st.errorCount).toBe(0);
  });

  it('answers downlink commands: 0x8104 / 0x8106 with 0x0104, 0x8201 with 0x0201, others with 0x0001', async () => {
    const s = await server();
    const d = new SimulatedDevice({ protocol, host: '127.0.0.1', port: s.port, rate: 0, heartbeatSeconds: 0 });
    devices.push(d);
    d.start();
    await d.waitOnline(5000);
    const q1 = s.sendJt808(d.phone, { type: 'query-all-params', body: {} });
    const q2 = s.sendJt808(d.phone, { type: 'query-given-params', body: { ids: [0x0001, 0x9999] } });
    const q3 = s.sendJt808(d.phone, { type: 'query-location', body: {} });
    const q4 = s.sendJt808(d.phone, {
      type: 'text-message',
      body: version === 2019 ? { flag: 0x08, textType: 1, text: 'hello' } : { flag: 0x08, text: 'hello' },
    });
    const q5 = s.sendJt808Raw(d.phone, 0x9101, Buffer.from([9, 127, 0, 0, 1, 0x27, 0x12, 0, 0, 1, 0, 0]));
    await until(() => s.received.length >= 7, 5000, 'command replies');
    const replies = s.received.slice(2);
    const all = replies.find(
      (r) =>
        r.type === 'query-params-response' &&
        r.message.type === 'query-params-response' &&
        r.message.body.replySerial === q1,
    )!;
    expect(all.message.type === 'query-params-response' && all.message.body.params.map((p) => p.id)).toEqual([
      0x0001, 0x0013, 0x0029, 0x0055,
    ]);
    const given = replies.find((r) => r.message.type === 'query-params-response' && r.message.body.replySerial === q2)!;
    expect(given.message.type === 'query-params-response' && given.message.body.params.map((p) => p.id)).toEqual([
      0x0001,
    ]);
    const loc = replies.find((r) => r.type === 'location-query-response')!;
    expect(loc.message.type === 'location-query-response' && loc.message.body.replySerial).toBe(q3);
    const generals = replies.filter((r) => r.type === 'terminal-general-response').map((r) => r.message);
    const answered = generals.map((m) =>
      m.type === 'terminal-general-response' ? [m.body.replyMsgId, m.body.replySerial, m.body.result] : [],
    );
    expect(answered).toEqual(expect.arrayContaining([[0x9101, q5, 0]]));
    expect(answered.some(([id, serial]) => id === 0x8300 && serial === q4)).toBe(true);
    expect(d.stats.commands).toBe(5);
    expect(d.stats.sent['command-reply']).toBe(5);
  });
});

describe('JT/T 808 reconnection and fleets', () => {
  it('reconnects after the server drops the connection and authenticates with the kept code', async () => {
    const s = await server();
    const d = new SimulatedDevice({
      protocol: 'jt808-2013',
      host: '127.0.0.1',
      port: s.port,
      rate: 20,
      heartbeatSeconds: 0,
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    });
    devices.push(d);
    d.start();
    await d.waitOnline(5000);
    await until(() => d.stats.acked.location >= 2, 5000, 'first locations');
    s.dropAll();
    await until(() => d.stats.reconnects >= 1 && d.state === 'online', 5000, 'reconnected');
    const before = d.stats.acked.location;
    await until(() => d.stats.acked.location > before, 5000, 'locations after reconnecting');
    const types = s.received.map((r) => r.type).filter((t) => t !== 'location-report');
    // Registration once; the second connection authenticates with the code it kept.
    expect(types).toEqual(['terminal-register', 'terminal-authentication', 'terminal-authentication']);
    expect(d.stats.connects).toBe(2);
    // Dropped by the server: counted as a closed connection (or a reset socket).
    expect((d.stats.errors['IOTHUB_ERR_SIM_CLOSED'] ?? 0) + (d.stats.errors['IOTHUB_ERR_SIM_SOCKET'] ?? 0)).toBe(1);
    const conns = new Set(s.received.map((r) => r.conn));
    expect(conns.size).toBe(2);
  });

  it('a refused authentication is counted, the code dropped and the device registers again', async () => {
    const s = await server({ protocol: 'jt808', refuseAuth: true });
    const d = new SimulatedDevice({
      protocol: 'jt808-2019',
      host: '127.0.0.1',
      port: s.port,
      rate: 0,
      heartbeatSeconds: 0,
      reconnect: { minDelayMs: 20, maxDelayMs: 50, maxAttempts: 1 },
    });
    devices.push(d);
    d.start();
    await until(() => d.state === 'stopped', 5000, 'gave up');
    expect(d.stats.errors['IOTHUB_ERR_SIM_AUTH']).toBe(2);
    expect(d.stats.errors['IOTHUB_ERR_SIM_GAVE_UP']).toBe(1);
    expect(s.count('terminal-register')).toBe(2);
  });

  it('counts unacknowledged messages and ack timeouts when the server does not answer', async () => {
    const s = await server({ protocol: 'jt808', ackData: false });
    const d = new SimulatedDevice({
      protocol: 'jt808-2013',
      host: '127.0.0.1',
      port: s.port,
      rate: 0,
      heartbeatSeconds: 0,
      ackTimeoutMs: 100,
    });
    devices.push(d);
    d.start();
    await d.waitOnline(5000);
    d.sendLocation();
    d.sendLocation();
    await until(() => (d.stats.errors['IOTHUB_ERR_SIM_ACK_TIMEOUT'] ?? 0) === 2, 5000, 'ack timeouts');
    const st = d.stats.snapshot();
    expect(st.acknowledgedByKind.location).toBe(0);
    expect(st.unacknowledged).toBe(2);
    expect(d.pendingAcks).toBe(0);
  });

  it('a fleet gets unique identities, spreads over source addresses and aggregates stats', async () => {
    const s = await server();
    const fleet = new Fleet({
      protocol: 'jt808-2019',
      count: 6,
      host: '127.0.0.1',
      port: s.port,
      rate: 10,
      heartbeatSeconds: 0,
      sourceAddresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
      rampMs: 50,
    });
    devices.push(fleet);
    fleet.start();
    await fleet.waitOnline(5000);
    await until(() => fleet.stats.acked.location >= 18, 5000, 'locations');
    await fleet.stop({ drainMs: 2000 });
    const snap = fleet.snapshot();
    expect(snap.states.stopped).toBe(6);
    expect(new Set(fleet.devices.map((d) => d.deviceId)).size).toBe(6);
    expect(new Set(fleet.devices.map((d) => d.imei)).size).toBe(6);
    expect(new Set(s.remoteAddresses)).toEqual(new Set(['127.0.0.1', '127.0.0.2', '127.0.0.3']));
    expect(snap.acknowledgedByKind.auth).toBe(6);
    expect(snap.acknowledged).toBe(snap.expectingAck);
    expect(snap.sent).toBe(s.received.length);
    expect(snap.latency.count).toBe(snap.acknowledged);
  });
});
