/**
 * The instruction API end to end, in memory: real HTTP requests, two real gateway apps (TCP, both
 * protocols each), real simulated devices and raw TCP devices, one in-memory bus / route table /
 * control channel shared by everything (issue #4 "Tests"). No timing assertions: what is checked
 * is which outcome each path ends in.
 */
import type { GatewayApp } from '@iothub/gateways';
import type { SimulatedDevice } from '@iothub/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstructionApp } from '../src/app.ts';
import { MemoryCommandStore } from '../src/store.ts';
import {
  device,
  instruct,
  instructResults,
  memoryShared,
  portOf,
  post,
  SilentJimiDevice,
  SilentJt808Device,
  startApi,
  startGateways,
  TOKEN,
  waitFor,
} from './helpers.ts';

const shared = memoryShared();
let gwA: GatewayApp;
let gwB: GatewayApp;
let api: InstructionApp;
const devices: SimulatedDevice[] = [];
const raw: { end(): void }[] = [];

beforeAll(async () => {
  gwA = await startGateways(shared);
  gwB = await startGateways(shared);
  api = await startApi(shared);
});

afterAll(async () => {
  for (const r of raw) r.end();
  await Promise.allSettled(devices.map((d) => d.stop({ drainMs: 0 })));
  await api?.close();
  await gwA?.close();
  await gwB?.close();
});

async function sim(protocol: 'jimi' | 'jt808-2013' | 'jt808-2019', gw: GatewayApp, index?: number) {
  const d = await device(
    protocol,
    portOf(gw, protocol === 'jimi' ? 'jimi' : 'jt808'),
    index === undefined ? {} : { index },
  );
  devices.push(d);
  return d;
}

let phoneSeq = 13_900_000_000 + Math.floor(Math.random() * 1_000_000);
let imeiSeq = 860_000_000_000_000 + Math.floor(Math.random() * 1e9);

describe('sendInstruct round trips', () => {
  it('proNo 128 to a Jimi device: 0x80 out, its 0x21 text is _content (form and JSON bodies)', async () => {
    const d = await sim('jimi', gwA);
    const r = await instruct(api.port, { imei: d.deviceId, cmdContent: 'STATUS#', proNo: 128, serverFlagId: 7 });
    expect(r.status).toBe(200);
    expect(r.code).toBe(0);
    expect(r.data).toMatchObject({
      _code: '100',
      _content: 'OK! STATUS#',
      _imei: d.deviceId,
      _serverFlagId: 7,
      _proNo: 128,
    });
    const j = await instruct(
      api.port,
      { deviceImei: d.deviceId, cmdContent: 'WHERE#', proNo: 128, serverFlagId: 'abc' },
      'json',
    );
    expect(j.data._code).toBe('100');
    expect(j.data._content).toContain('Current position!');
    expect(j.data._serverFlagId).toBe('abc');
  });

  it('proNo 128 to a JT/T 808 device: 0x8300 text out, the 0x0001 general response is the reply', async () => {
    for (const protocol of ['jt808-2013', 'jt808-2019'] as const) {
      const d = await sim(protocol, gwA);
      const r = await instruct(api.port, { imei: d.deviceId, cmdContent: 'STATUS#', proNo: 128 });
      expect(r.data._code).toBe('100');
      expect(r.data._proNo).toBe(1);
      expect(JSON.parse(r.data._content)).toMatchObject({ replyMsgId: String(0x8300), result: '0' });
    }
  });

  it('parameter query 33028 (0x8104) → 0x0104: _proNo 260, _content in the production shape', async () => {
    const d = await sim('jt808-2013', gwB);
    const r = await instruct(api.port, { imei: d.deviceId, cmdContent: '{}', proNo: 33028 });
    expect(r.data._code).toBe('100');
    expect(r.data._proNo).toBe(260);
    const content = JSON.parse(r.data._content) as Record<string, string>;
    expect(Number(content.paramCount)).toBeGreaterThan(0);
    expect(Object.keys(content).filter((k) => k !== 'paramCount')).toHaveLength(Number(content.paramCount));
    expect(r.data._gateId).toBe(gwB.servers.find((s) => s.protocol.name === 'jt808')?.gateId);
  });

  it('0x9101 start-live reaches the device byte-exact from the §2.5 JSON shape', async () => {
    const phone = String(phoneSeq++);
    const t = new SilentJt808Device(portOf(gwA, 'jt808'), phone);
    raw.push(t);
    await t.login();
    const results = await instructResults(shared.bus);
    try {
      const r = await instruct(api.port, {
        imei: phone,
        proNo: 37121,
        sync: false,
        timeOut: 1,
        cmdContent: JSON.stringify({
          dataType: '0',
          codeStreamType: '0',
          channel: '1',
          videoIP: '203.0.113.9',
          videoTCPPort: '10002',
          videoUDPPort: '0',
        }),
      });
      expect(r.data._code).toBe('100'); // accepted, the outcome is pushed
      const got = await waitFor(() => t.received.find((x) => x.msgId === 0x9101), '0x9101 at the device');
      // BYTE 11, "203.0.113.9", WORD 10002, WORD 0, channel 1, data type 0, stream 0
      expect(got.body.toString('hex')).toBe(`0b${Buffer.from('203.0.113.9').toString('hex')}27120000010000`);
      // the silent device never answers: the pushed outcome is 600 (msgType 1)
      const ev = await waitFor(() => results.events.find((e) => e.deviceImei === phone), 'instruct-result');
      expect(ev.kind).toBe('instruct-result');
      expect(ev.data).toMatchObject({
        msgType: 1,
        response: { code: 0, data: { _code: '600', _imei: phone, _proNo: 37121 } },
      });
    } finally {
      await results.close();
    }
  });

  it('bodies with times, 64-bit flags and typed parameters cross the control channel intact (0x9205, 0x8103)', async () => {
    const phone = String(phoneSeq++);
    const t = new SilentJt808Device(portOf(gwB, 'jt808'), phone);
    raw.push(t);
    await t.login();
    const r = instruct(api.port, {
      imei: phone,
      proNo: 37381,
      timeOut: 1,
      cmdContent: JSON.stringify({
        channel: 2,
        beginTime: '230826000000',
        endTime: '230826235959',
        alarmFlag: '4294967298', // bit 32 and bit 1
        resourceType: 0,
        codeType: 1,
        storageType: 0,
      }),
    });
    const got = await waitFor(() => t.received.find((x) => x.msgId === 0x9205), '0x9205 at the device');
    // channel 2, BCD times digit for digit, QWORD alarm flags, media 0, stream 1, storage 0
    expect(got.body.toString('hex')).toBe('022308260000002308262359590000000100000002000100');
    expect((await r).data._code).toBe('600');

    const d = await sim('jt808-2013', gwB);
    const set = await instruct(api.port, {
      imei: d.deviceId,
      proNo: 33027,
      cmdContent: '{"1":"180","19":"203.0.113.9","24":21122}',
    });
    expect(set.data).toMatchObject({ _code: '100', _proNo: 1 });
    expect(JSON.parse(set.data._content)).toMatchObject({ replyMsgId: String(0x8103), result: '0' });
  });

  it('a device on another gateway than the last one, and reconnecting to a different gateway between two commands', async () => {
    const index = 500_000 + Math.floor(Math.random() * 100_000);
    const first = await sim('jimi', gwA, index);
    const r1 = await instruct(api.port, { imei: first.deviceId, cmdContent: 'STATUS#', proNo: 128 });
    expect(r1.data).toMatchObject({
      _code: '100',
      _gateId: gwA.servers.find((s) => s.protocol.name === 'jimi')?.gateId,
    });
    await first.stop({ drainMs: 0 });
    const second = await sim('jimi', gwB, index);
    expect(second.deviceId).toBe(first.deviceId);
    // the route follows the new login (poll the table, then command)
    const gateB = gwB.servers.find((s) => s.protocol.name === 'jimi')?.gateId;
    await waitFor(async () => (await shared.routes.get(second.deviceId))?.gateId === gateB, 'route on B');
    const r2 = await instruct(api.port, { imei: second.deviceId, cmdContent: 'STATUS#', proNo: 128 });
    expect(r2.data).toMatchObject({ _code: '100', _content: 'OK! STATUS#', _gateId: gateB });
  });
});

describe('failures end in a code, never a hang', () => {
  it('unknown device → 301; device that was seen and left → 300', async () => {
    const unknown = await instruct(api.port, { imei: String(imeiSeq++), cmdContent: 'STATUS#', proNo: 128 });
    expect(unknown.data._code).toBe('301');
    const d = await sim('jimi', gwA);
    await waitFor(() => api.store.seen(d.deviceId), 'login seen by the API');
    await d.stop({ drainMs: 0 });
    await waitFor(async () => (await shared.routes.get(d.deviceId)) === null, 'route released');
    const r = await instruct(api.port, { imei: d.deviceId, cmdContent: 'STATUS#', proNo: 128 });
    expect(r.data._code).toBe('300');
    expect(await api.service.listOffline(d.deviceId)).toEqual([]); // no offlineFlag: nothing stored
  });

  it('device never answers → 600 after timeOut; busy → 302 while a command is outstanding', async () => {
    const imei = String(imeiSeq++);
    const t = new SilentJimiDevice(portOf(gwB, 'jimi'), imei);
    raw.push(t);
    await t.login();
    await waitFor(async () => (await shared.routes.get(imei)) !== null, 'route');
    const pending = instruct(api.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 2 });
    await waitFor(() => t.received.some((m) => m.type === 'online-command'), '0x80 at the device');
    const busy = await instruct(api.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 1 });
    expect(busy.data._code).toBe('302');
    const r = await pending;
    expect(r.data._code).toBe('600');
    expect(r.data._time_out).toBe(2);
    // the slot is free again: the next command goes out (and times out too)
    const again = await instruct(api.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 1 });
    expect(again.data._code).toBe('600');
  });

  it('gateway closed while a command is pending → a failure code (400), not a hang or 600', async () => {
    const extra = await startGateways(shared);
    const imei = String(imeiSeq++);
    const t = new SilentJimiDevice(portOf(extra, 'jimi'), imei);
    raw.push(t);
    await t.login();
    await waitFor(async () => (await shared.routes.get(imei)) !== null, 'route');
    const pending = instruct(api.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 120 });
    await waitFor(() => t.received.some((m) => m.type === 'online-command'), '0x80 at the device');
    await extra.close();
    const r = await pending;
    expect(['400', '300']).toContain(r.data._code);
    expect(r.data._errorCode).toBeTruthy();
  });

  it('wrong or missing token → 401 and nothing is sent', async () => {
    const imei = String(imeiSeq++);
    const t = new SilentJimiDevice(portOf(gwA, 'jimi'), imei);
    raw.push(t);
    await t.login();
    await waitFor(async () => (await shared.routes.get(imei)) !== null, 'route');
    const wrong = await post(api.port, '/api/device/sendInstruct', {
      imei,
      cmdContent: 'STATUS#',
      proNo: 128,
      token: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errorCode).toBe('IOTHUB_ERR_API_TOKEN');
    const res = await fetch(`http://127.0.0.1:${api.port}/api/device/sendInstruct`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `imei=${imei}&cmdContent=STATUS%23&proNo=128`,
    });
    expect(res.status).toBe(401);
    // a correct request afterwards goes out: the earlier ones did not
    const ok = instruct(api.port, { imei, cmdContent: 'FIRST#', proNo: 128, timeOut: 1 });
    await waitFor(() => t.received.some((m) => m.type === 'online-command'), '0x80');
    const sent = t.received.filter((m) => m.type === 'online-command');
    expect(sent).toHaveLength(1);
    expect((sent[0] as { body: { command: string } }).body.command).toBe('FIRST#');
    await ok;
  });

  it('malformed fields → _code 200 naming the field; bodies refused with a code', async () => {
    const d = await sim('jimi', gwA);
    const cases: [Record<string, string | number>, string][] = [
      [{ imei: 'abc', cmdContent: 'X', proNo: 128 }, 'imei'],
      [{ cmdContent: 'X', proNo: 128 }, 'imei'],
      [{ imei: d.deviceId, cmdContent: 'X', proNo: 'abc' }, 'proNo'],
      [{ imei: d.deviceId, cmdContent: 'X', proNo: 4242 }, 'proNo'],
      [{ imei: d.deviceId, cmdContent: 'not json', proNo: 37121 }, 'cmdContent'],
      [{ imei: d.deviceId, cmdContent: 'X', proNo: 128, timeOut: 'soon' }, 'timeOut'],
      [{ imei: d.deviceId, cmdContent: 'X', proNo: 128, offlineFlag: 'perhaps' }, 'offlineFlag'],
    ];
    for (const [fields, field] of cases) {
      const r = await post(api.port, '/api/device/sendInstruct', fields);
      expect(r.status).toBe(200);
      const data = r.body.data as Record<string, unknown>;
      expect(data._code).toBe('200');
      expect(String(data._msg)).toContain(field);
    }
    // a JT/T command to a Jimi device
    const jt = await instruct(api.port, { imei: d.deviceId, cmdContent: '{}', proNo: 33028 });
    expect(jt.data._code).toBe('200');
    expect(String(jt.data._msg)).toContain('proNo');
    // body too large, broken JSON
    const big = await post(api.port, '/api/device/sendInstruct', {
      imei: d.deviceId,
      cmdContent: 'x'.repeat(100_000),
      proNo: 128,
    });
    expect(big.status).toBe(413);
    expect(big.body.errorCode).toBe('IOTHUB_ERR_API_BODY');
    const broken = await fetch(`http://127.0.0.1:${api.port}/api/device/sendInstruct`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"imei":',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errorCode: string }).errorCode).toBe('IOTHUB_ERR_API_BODY');
    // the service counted them
    const metrics = await api.registry.metrics();
    expect(metrics).toContain('iothub_api_errors_total{code="IOTHUB_ERR_API_FIELD"}');
  });

  it('rate limit per client → 429 with a code', async () => {
    const limited = await startApi(shared, { API_RATE_LIMIT_PER_SECOND: '3' }, { groupId: 'rate-test' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push((await post(limited.port, '/api/device/queryOfflineInstruct', { deviceImei: '1' })).status);
      }
      expect(statuses).toContain(429);
    } finally {
      await limited.close();
    }
  });

  it('serves its OpenAPI description and /health', async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${api.port}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain('/api/device/sendInstruct');
    expect((await fetch(`http://127.0.0.1:${api.port}/health`)).status).toBe(200);
  });
});

describe('offline commands', () => {
  it('stored while offline, delivered in order at the next login, results published as msgType 2', async () => {
    const index = 700_000 + Math.floor(Math.random() * 100_000);
    // learn the identity, then go offline
    const d0 = await sim('jimi', gwA, index);
    const imei = d0.deviceId;
    await d0.stop({ drainMs: 0 });
    await waitFor(async () => (await shared.routes.get(imei)) === null, 'offline');
    const results = await instructResults(shared.bus);
    try {
      const a = await instruct(api.port, {
        imei,
        cmdContent: 'FIRST#',
        proNo: 128,
        offlineFlag: true,
        serverFlagId: 11,
      });
      expect(a.data._code).toMatch(/^30[01]$/);
      expect(a.msg).toBe('The device is offline or timed out, and the command is converted to an offline command');
      await instruct(api.port, { imei, cmdContent: 'SECOND#', proNo: 128, offLineFlag: true, serverFlagId: 12 });
      const q = await post(api.port, '/api/device/queryOfflineInstruct', { deviceImei: imei, cmdType: 'normallns' });
      expect(q.body.code).toBe(0);
      expect(JSON.parse(String(q.body.data))).toMatchObject({ _content: 'FIRST#', _imei: imei, _serverFlagId: 11 });
      expect(q.body.count).toBe(2);

      await sim('jimi', gwB, index);
      const got = await waitFor(() => {
        const mine = results.events.filter((e) => e.deviceImei === imei);
        return mine.length >= 2 ? mine : null;
      }, 'two offline results');
      expect(got.map((e) => e.data)).toEqual([
        {
          msgType: 2,
          response: expect.objectContaining({
            data: expect.objectContaining({ _code: '100', _content: 'OK! FIRST#', _serverFlagId: 11 }),
          }),
        },
        {
          msgType: 2,
          response: expect.objectContaining({
            data: expect.objectContaining({ _code: '100', _content: 'OK! SECOND#', _serverFlagId: 12 }),
          }),
        },
      ]);
      expect(got[0]).toMatchObject({
        kind: 'instruct-result',
        protocol: 'jimi',
        gateId: api.service.instanceId,
        msgId: 128,
      });
      const after = await post(api.port, '/api/device/queryOfflineInstruct', { deviceImei: imei });
      expect(after.body.code).toBe(20002);
    } finally {
      await results.close();
    }
  });

  it('a command that times out with offlineFlag is stored too', async () => {
    const imei = String(imeiSeq++);
    const t = new SilentJimiDevice(portOf(gwA, 'jimi'), imei);
    raw.push(t);
    await t.login();
    await waitFor(async () => (await shared.routes.get(imei)) !== null, 'route');
    const r = await instruct(api.port, { imei, cmdContent: 'LATE#', proNo: 128, timeOut: 1, offlineFlag: true });
    expect(r.data._code).toBe('600');
    expect((await api.service.listOffline(imei)).map((c) => c.cmdContent)).toEqual(['LATE#']);
    await api.service.deleteOffline(imei);
  });

  it('expiry, query and delete (store clock moved, nothing waited for)', async () => {
    let clock = Date.now();
    const store = new MemoryCommandStore({ now: () => clock });
    const own = await startApi(shared, { OFFLINE_CMD_TTL_S: '60' }, { store, groupId: 'expiry-test' });
    try {
      const imei = String(imeiSeq++);
      for (const c of ['A#', 'B#', 'C#']) {
        const r = await instruct(own.port, { imei, cmdContent: c, proNo: 128, offlineFlag: true });
        expect(r.data._code).toBe('301');
      }
      const q = await post(own.port, '/api/device/queryOfflineInstruct', { deviceImei: imei });
      const items = q.body.items as { _id: string; _content: string }[];
      expect(items.map((i) => i._content)).toEqual(['A#', 'B#', 'C#']);
      const del1 = await post(own.port, '/api/device/deleteOfflineInstruct', {
        deviceImei: imei,
        id: items[1]?._id ?? '',
      });
      expect(del1.body).toMatchObject({ code: 0, data: { deleted: 1 } });
      const q2 = await post(own.port, '/api/device/queryOfflineInstruct', { deviceImei: imei });
      expect((q2.body.items as { _content: string }[]).map((i) => i._content)).toEqual(['A#', 'C#']);
      clock += 61_000; // past the TTL
      const q3 = await post(own.port, '/api/device/queryOfflineInstruct', { deviceImei: imei });
      expect(q3.body.code).toBe(20002);
      const del2 = await post(own.port, '/api/device/deleteOfflineInstruct', { deviceImei: imei });
      expect(del2.body.code).toBe(20002);
      // and when the device logs in, nothing is delivered
      await own.service.deleteOffline(imei);
      await store.add(
        {
          id: 'x1',
          deviceImei: imei,
          proNo: 128,
          cmdContent: 'OLD#',
          serverFlagId: 0,
          cmdType: 'normallns',
          timeOutS: 5,
          createdAt: clock,
          expiresAt: clock + 1,
        },
        10,
      );
      clock += 10;
      const del3 = await post(own.port, '/api/device/deleteOfflineInstruct', { deviceImei: imei, token: TOKEN });
      expect(del3.body.code).toBe(20002);
    } finally {
      await own.close();
    }
  });
});
