/**
 * LBS in the gateways (docs/lbs.md "Gateway use"): the Jimi session's LBS / WiFi / address-request
 * branches as a pure state machine, then end to end over TCP (a GT06 device client and a JT/T 808
 * terminal) against a real LBS HTTP server (127.0.0.1, ephemeral port) over an imported dataset;
 * plus no LBS, a failing LBS and an LBS that never answers: the data is published unresolved,
 * never dropped, and the connection goes on.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gt06, type jt808 } from '@iothub/codec';
import type { UplinkEvent } from '@iothub/core';
import { CELL_STORE_FILE, importCsv, LbsResolver, type LbsServer, startLbsServer, WIFI_STORE_FILE } from '@iothub/lbs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpLbsClient, type LbsClient, lbsClientFromResolver } from '../src/common/lbs.ts';
import type { StepResult } from '../src/common/protocol.ts';
import { JimiSession } from '../src/jimi/session.ts';
import { encodeCells5d, lbsQueryOfReport } from '../src/jt808/lbs.ts';
import { Device, FIX, frameOf, IMEI, loginFrame, startGateway, waitFor } from './jimi-helpers.ts';
import { events as jtEvents, locationBody, makeEnv, startGateway as startJt808, Terminal } from './jt808-helpers.ts';

// The cells and access points of the fixtures lbs28 / wifi2c / lbsAlarm19 (MCC 460, MNC 0, LAC 10365).
const CELLS = [
  { ci: 8049, lat: 22.54, lng: 114.05, range: 800 },
  { ci: 8050, lat: 22.55, lng: 114.05, range: 800 },
  { ci: 7715, lat: 22.54, lng: 114.06, range: 800 },
  { ci: 8000, lat: 22.55, lng: 114.06, range: 800 },
  { ci: 7703, lat: 22.545, lng: 114.055, range: 800 },
];
const APS = [
  { mac: '80:89:17:44:98:b4', lat: 22.5451, lng: 114.0551, accuracy: 25 },
  { mac: 'cc:7b:35:36:61:a6', lat: 22.5453, lng: 114.0553, accuracy: 25 },
];
const TOKEN = 'gw-lbs-token';
const NOW = Date.UTC(2024, 4, 6, 12, 0, 0);
const CTX = { gateId: 'g', connId: 'c', remoteAddress: '127.0.0.1:1' };

let dir: string;
let resolver: LbsResolver;
let lbs: LbsServer;
let silent: Server;
let silentPort = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iothub-gw-lbs-'));
  writeFileSync(
    join(dir, 'cells.csv'),
    CELLS.map((c) => `GSM,460,0,10365,${c.ci},0,${c.lng},${c.lat},${c.range},5,1,0,0,0\n`).join('') +
      'GSM,460,0,1,1,0,10,10,1000,5,1,0,0,0\n',
  );
  writeFileSync(join(dir, 'wifi.csv'), APS.map((a) => `${a.mac},${a.lat},${a.lng},${a.accuracy}\n`).join(''));
  await importCsv({ kind: 'cell', files: [join(dir, 'cells.csv')], out: join(dir, CELL_STORE_FILE) });
  await importCsv({ kind: 'wifi', files: [join(dir, 'wifi.csv')], out: join(dir, WIFI_STORE_FILE) });
  resolver = new LbsResolver({ dataDir: dir });
  lbs = await startLbsServer({
    resolver,
    token: TOKEN,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    host: '127.0.0.1',
    port: 0,
  });
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const a = silent.address();
  silentPort = a && typeof a === 'object' ? a.port : 0;
});
afterAll(async () => {
  await lbs?.close();
  await resolver?.close();
  silent?.closeAllConnections();
  await new Promise<void>((r) => silent?.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function loggedIn(): JimiSession {
  const s = new JimiSession(CTX);
  s.step({ type: 'frame', frame: frameOf(loginFrame(IMEI, 1)) }, NOW);
  return s;
}
const step = (s: JimiSession, hex: string | Buffer): StepResult => s.step({ type: 'frame', frame: frameOf(hex) }, NOW);

function unpositionedAddressRequest(serial: number, language = 2): Buffer {
  return gt06.encodeGt06(
    { serial },
    {
      type: 'address-request',
      protocol: 0x2a,
      body: {
        gps: {
          time: new Date(NOW),
          gpsInfoLength: 12,
          satellites: 0,
          latitude: 0,
          longitude: 0,
          speed: 0,
          course: 0,
          positioned: false,
          differential: false,
        },
        phone: '13800138000',
        language,
      },
    },
  );
}

function decodeReply(bytes: Buffer): gt06.Gt06Message {
  return frameOf(bytes).message;
}

describe('Jimi session: LBS branches (pure)', () => {
  it('0x28: the lbs event at once, a resolve-location effect with the non-empty cells; the location follows', () => {
    const s = loggedIn();
    const r = step(s, FIX.lbs28);
    expect(r.events.map((e) => e.kind)).toEqual(['lbs']);
    expect(r.effects).toHaveLength(1);
    const e = r.effects[0]!;
    expect(e.type).toBe('resolve-location');
    if (e.type !== 'resolve-location') return;
    expect(e.query.imei).toBe(IMEI);
    expect(e.query.cells).toEqual([
      { mcc: 460, mnc: 0, lac: 10365, ci: 8049, rssi: 62 },
      { mcc: 460, mnc: 0, lac: 10365, ci: 8050, rssi: 49 },
      { mcc: 460, mnc: 0, lac: 10365, ci: 7715, rssi: 45 },
      { mcc: 460, mnc: 0, lac: 10365, ci: 8000, rssi: 24 },
    ]);
    const done = s.step(
      { type: 'location-resolved', id: e.id, location: { lat: 22.5, lng: 114.1, accuracy: 500, type: 4 } },
      NOW + 5,
    );
    expect(done.events).toHaveLength(1);
    expect(done.events[0]).toMatchObject({
      kind: 'location',
      deviceImei: IMEI,
      msgId: 0x28,
      type: 'lbs-multi',
      deviceTime: '2016-01-13T02:02:02.000Z',
      data: { latitude: 22.5, longitude: 114.1, accuracy: 500, postType: 2, resolved: true, lbsType: 4 },
    });
    expect((done.events[0]!.data as { cells: unknown[] }).cells).toHaveLength(4);
    // An unknown id (late or repeated answer) is ignored.
    expect(s.step({ type: 'location-resolved', id: e.id, location: null }, NOW).events).toEqual([]);
  });

  it('0x2C with WiFi: postType 3; a failure publishes latitude / longitude 0 with the reason', () => {
    const s = loggedIn();
    const r = step(s, FIX.wifi2c);
    expect(r.events.map((e) => e.kind)).toEqual(['wifi']);
    const e = r.effects[0]!;
    if (e.type !== 'resolve-location') throw new Error('no effect');
    expect(e.query.wifi).toEqual([
      { mac: '80:89:17:44:98:b4', rssi: -92 },
      { mac: 'cc:7b:35:36:61:a6', rssi: -91 },
    ]);
    const failed = s.step({ type: 'effect-failed', id: e.id, code: 'IOTHUB_ERR_LBS_TIMEOUT' }, NOW);
    expect(failed.events[0]).toMatchObject({
      kind: 'location',
      data: {
        latitude: 0,
        longitude: 0,
        accuracy: 0,
        postType: 3,
        resolved: false,
        lbsType: 0,
        reason: 'IOTHUB_ERR_LBS_TIMEOUT',
      },
    });
  });

  it('nothing known (400): unresolved with IOTHUB_ERR_LBS_NOT_FOUND', () => {
    const s = loggedIn();
    const e = step(s, FIX.lbsAlarm19).effects[0]!;
    if (e.type !== 'resolve-location') throw new Error('no effect');
    expect(e.query.cells).toEqual([{ mcc: 460, mnc: 0, lac: 10365, ci: 8049 }]);
    const r = s.step({ type: 'location-resolved', id: e.id, location: null }, NOW);
    expect(r.events[0]).toMatchObject({
      kind: 'location',
      msgId: 0x19,
      data: { resolved: false, postType: 2, reason: 'IOTHUB_ERR_LBS_NOT_FOUND' },
    });
  });

  it('clone 0x69: the BCD reply stays immediate and durable; 0x17 location marked reupload', () => {
    const s = loggedIn();
    const r = step(s, FIX.wifiBcd69);
    expect(r.replies.map((x) => x.bytes.toString('hex'))).toEqual([FIX.wifiBcd69Reply]);
    expect(r.replies[0]!.durable).toBe(true);
    expect(r.effects[0]).toMatchObject({ type: 'resolve-location' });
    const off = step(s, FIX.wifiBcd17);
    const e = off.effects[0]!;
    if (e.type !== 'resolve-location') throw new Error('no effect');
    expect(e.query).toEqual({ imei: IMEI, cells: [{ mcc: 204, mnc: 8, lac: 3150, ci: 12197, rssi: 100 }], wifi: [] });
    const loc = s.step(
      { type: 'location-resolved', id: e.id, location: { lat: 52, lng: 5, accuracy: 900, type: 4 } },
      NOW,
    );
    expect(loc.events[0]).toMatchObject({
      kind: 'location',
      msgId: 0x17,
      data: { resolved: true, postType: 2, reupload: true },
    });
  });

  it('a message without one usable cell or access point: an unresolved location at once, no effect', () => {
    const s = loggedIn();
    const empty = gt06.encodeGt06(
      { serial: 7 },
      {
        type: 'lbs-multi',
        protocol: 0x28,
        body: {
          time: new Date(NOW),
          mcc: 460,
          mnc: 0,
          mncTwoBytes: false,
          cells: Array.from({ length: 7 }, () => ({ lac: 0, cellId: 0, rssi: 0 })),
          timingAdvance: 0,
          language: 2,
        },
      },
    );
    const r = step(s, empty);
    expect(r.effects).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['lbs', 'location']);
    expect(r.events[1]).toMatchObject({
      data: { resolved: false, reason: 'IOTHUB_ERR_LBS_NO_OBSERVATIONS', cells: [] },
    });
  });

  it('a connection closed while resolving still publishes the location, unresolved', () => {
    const s = loggedIn();
    step(s, FIX.lbs28);
    const r = s.step({ type: 'closed', code: 'IOTHUB_ERR_PEER_CLOSED' }, NOW);
    expect(r.events.map((e) => e.kind)).toEqual(['location', 'session']);
    expect(r.events[0]).toMatchObject({ data: { resolved: false } });
  });

  it('address request without a fix: the recent LBS position, else "not available"', () => {
    const s = loggedIn();
    const na = step(s, unpositionedAddressRequest(3));
    expect(decodeReply(na.replies[0]!.bytes)).toMatchObject({
      type: 'address-reply',
      protocol: 0x97,
      body: { tag: 'NA', address: 'NA' },
    });
    step(s, FIX.lbs28);
    const r = step(s, unpositionedAddressRequest(4, 1));
    expect(r.replies).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['info']);
    const e = r.effects[0]!;
    if (e.type !== 'resolve-location') throw new Error('no effect');
    const answered = s.step(
      { type: 'location-resolved', id: e.id, location: { lat: 22.5, lng: 114.1, accuracy: 500, type: 4 } },
      NOW,
    );
    expect(answered.events).toEqual([]);
    expect(decodeReply(answered.replies[0]!.bytes)).toMatchObject({
      type: 'address-reply',
      protocol: 0x17,
      body: { tag: 'ALARMSMS', address: 'http://maps.google.com/maps?q=22.500000,114.100000', phone: '13800138000' },
    });
    // Too old: "not available" again.
    const later = s.step({ type: 'frame', frame: frameOf(unpositionedAddressRequest(5)) }, NOW + 11 * 60_000);
    expect(decodeReply(later.replies[0]!.bytes)).toMatchObject({ body: { tag: 'NA' } });
  });
});

async function deviceOn(port: number): Promise<Device> {
  const d = await Device.connect(port);
  await d.request(loginFrame(IMEI, 1));
  return d;
}

function lastLocation(g: { events(kind: string): UplinkEvent[] }, msgId: number): UplinkEvent | undefined {
  return g
    .events('location')
    .filter((e) => e.msgId === msgId)
    .at(-1);
}

describe('Jimi end to end over TCP with a real LBS', () => {
  it('LBS and WiFi messages in → location events with postType out; address request answered', async () => {
    const client = new HttpLbsClient({ url: `http://127.0.0.1:${lbs.port}`, token: TOKEN, timeoutMs: 3000 });
    const g = await startGateway({}, { lbs: client, lbsTimeoutMs: 3000 });
    const d = await deviceOn(g.port);
    try {
      d.send(FIX.lbs28);
      const cellLoc = await waitFor(() => lastLocation(g, 0x28), 5000, 'the 0x28 location');
      expect(cellLoc.data).toMatchObject({ resolved: true, postType: 2, lbsType: 4 });
      const c = cellLoc.data as { latitude: number; longitude: number; accuracy: number };
      expect(c.latitude).toBeGreaterThan(22.54);
      expect(c.latitude).toBeLessThan(22.55);
      expect(c.longitude).toBeGreaterThan(114.05);
      expect(c.longitude).toBeLessThan(114.06);
      expect(c.accuracy).toBeGreaterThan(0);
      expect(g.events('lbs')).toHaveLength(1);

      d.send(FIX.wifi2c);
      const wifiLoc = await waitFor(() => lastLocation(g, 0x2c), 5000, 'the 0x2C location');
      expect(wifiLoc.data).toMatchObject({ resolved: true, postType: 3, lbsType: 3 });
      expect((wifiLoc.data as { latitude: number }).latitude).toBeCloseTo(22.5452, 3);

      // Clone 0x69: its reply comes at once; its cells / APs are unknown → unresolved, still published.
      expect((await d.request(FIX.wifiBcd69)).toString('hex')).toBe(FIX.wifiBcd69Reply);
      const bcd = await waitFor(() => lastLocation(g, 0x69), 5000, 'the 0x69 location');
      expect(bcd.data).toMatchObject({
        resolved: false,
        postType: 3,
        latitude: 0,
        longitude: 0,
        reason: 'IOTHUB_ERR_LBS_NOT_FOUND',
      });

      // The device asks where it is (no fix): the last cells' position as the address.
      d.send(FIX.lbs28);
      const reply = decodeReply(await d.request(unpositionedAddressRequest(9)));
      expect(reply).toMatchObject({ type: 'address-reply', protocol: 0x97, body: { tag: 'ALARMSMS' } });
      const text = (reply as Extract<gt06.Gt06Message, { type: 'address-reply' }>).body.address;
      expect(text).toBe(`http://maps.google.com/maps?q=${c.latitude.toFixed(6)},${c.longitude.toFixed(6)}`);
    } finally {
      d.close();
      await g.close();
    }
  });

  it('no LBS configured: published unresolved, "not available" address reply', async () => {
    const g = await startGateway({}, { lbs: null });
    const d = await deviceOn(g.port);
    try {
      d.send(FIX.lbs28);
      const loc = await waitFor(() => lastLocation(g, 0x28), 5000, 'the location');
      expect(loc.data).toMatchObject({
        resolved: false,
        latitude: 0,
        longitude: 0,
        postType: 2,
        reason: 'IOTHUB_ERR_LBS_UNAVAILABLE',
      });
      const reply = decodeReply(await d.request(unpositionedAddressRequest(2)));
      expect(reply).toMatchObject({ type: 'address-reply', body: { tag: 'NA', address: 'NA' } });
    } finally {
      d.close();
      await g.close();
    }
  });

  it('an LBS that never answers: the timeout publishes unresolved and the connection goes on', async () => {
    const client = new HttpLbsClient({ url: `http://127.0.0.1:${silentPort}`, token: 'x', timeoutMs: 10_000 });
    const g = await startGateway({}, { lbs: client, lbsTimeoutMs: 150 });
    const d = await deviceOn(g.port);
    try {
      d.send(FIX.wifi2c);
      // Held behind the resolution, answered after it.
      expect((await d.request(FIX.heartbeat)).length).toBeGreaterThan(0);
      const loc = await waitFor(() => lastLocation(g, 0x2c), 5000, 'the location');
      expect(loc.data).toMatchObject({ resolved: false, reason: 'IOTHUB_ERR_LBS_TIMEOUT', postType: 3 });
      expect(g.events('heartbeat')).toHaveLength(1);
    } finally {
      d.close();
      await g.close();
    }
  });

  it('an LBS that answers an error (wrong token) or throws: unresolved, IOTHUB_ERR_LBS_FAILED', async () => {
    const wrong = new HttpLbsClient({ url: `http://127.0.0.1:${lbs.port}`, token: 'wrong', timeoutMs: 3000 });
    const throwing: LbsClient = {
      resolve: async () => {
        throw new Error('boom');
      },
    };
    const throwsAtOnce: LbsClient = {
      resolve: () => {
        throw new Error('sync boom');
      },
    };
    for (const client of [wrong, throwing, throwsAtOnce]) {
      const g = await startGateway({}, { lbs: client });
      const d = await deviceOn(g.port);
      try {
        d.send(FIX.lbs28);
        const loc = await waitFor(() => lastLocation(g, 0x28), 5000, 'the location');
        expect(loc.data).toMatchObject({ resolved: false, reason: 'IOTHUB_ERR_LBS_FAILED' });
      } finally {
        d.close();
        await g.close();
      }
    }
  });

  it('the in-process resolver (embedded mode) resolves the same way without HTTP', async () => {
    const g = await startGateway({}, { lbs: lbsClientFromResolver(resolver) });
    const d = await deviceOn(g.port);
    try {
      d.send(FIX.lbs28);
      const loc = await waitFor(() => lastLocation(g, 0x28), 5000, 'the location');
      expect(loc.data).toMatchObject({ resolved: true, postType: 2, lbsType: 4 });
    } finally {
      d.close();
      await g.close();
    }
  });
});

describe('JT/T 808 base-station data', () => {
  const cellsItem = encodeCells5d(460, 0, [
    { lac: 10365, ci: 8049, rssi: 60 },
    { lac: 10365, ci: 8050, rssi: 40 },
  ]);
  const wifiItem = Buffer.concat([
    Buffer.from([2]),
    Buffer.from('8089174498b4', 'hex'),
    Buffer.from([0xc4]),
    Buffer.from('cc7b353661a6', 'hex'),
    Buffer.from([0xc0]),
  ]);
  const ebItem = Buffer.from('000b00d801cc00287d00001f71', 'hex'); // 0x00D8: 460, 0, 10365, 8049

  it('reads the 0x5D, 0x54 and 0xEB/0x00D8 item layouts; malformed items contribute nothing', () => {
    const report = (items: { id: number; raw: Buffer }[]) =>
      ({
        ...locationBody(),
        status: 0,
        items: items.map((i) => ({ kind: 'unknown', ...i })),
      }) as unknown as jt808.LocationReport;
    expect(
      lbsQueryOfReport(
        report([
          { id: 0x5d, raw: cellsItem },
          { id: 0x54, raw: wifiItem },
        ]),
        '1',
      ),
    ).toEqual({
      imei: '1',
      cells: [
        { mcc: 460, mnc: 0, lac: 10365, ci: 8049, rssi: 60 },
        { mcc: 460, mnc: 0, lac: 10365, ci: 8050, rssi: 40 },
      ],
      wifi: [
        { mac: '80:89:17:44:98:b4', rssi: -60 },
        { mac: 'cc:7b:35:36:61:a6', rssi: -64 },
      ],
    });
    expect(lbsQueryOfReport(report([{ id: 0xeb, raw: ebItem }]), '1')?.cells).toEqual([
      { mcc: 460, mnc: 0, lac: 10365, ci: 8049 },
    ]);
    expect(
      lbsQueryOfReport(
        report([
          { id: 0x5d, raw: Buffer.from([1]) },
          { id: 0x54, raw: Buffer.from([9, 1]) },
          { id: 0xeb, raw: Buffer.from('ffff', 'hex') },
        ]),
        '1',
      ),
    ).toBeNull();
    expect(lbsQueryOfReport(report([]), '1')).toBeNull();
  });

  it('a report without a fix: lbs event with the ack, then a location with postType 2 / 3', async () => {
    const env = makeEnv();
    const client = new HttpLbsClient({ url: `http://127.0.0.1:${lbs.port}`, token: TOKEN });
    const gw = await startJt808(env, { lbs: client });
    const t = new Terminal(gw.port, '013912345678', 2013);
    try {
      await t.connected();
      await t.login();
      const body = {
        ...locationBody(),
        status: 0,
        items: [{ kind: 'unknown', id: 0x5d, raw: cellsItem }],
      } as unknown as jt808.Jt808BodyOf<'location-report'>;
      t.send({ type: 'location-report', body });
      const ack = await t.nth(3);
      expect(ack.packet.message.type).toBe('platform-general-response');
      const loc = await waitFor(
        () => jtEvents(env.bus, 'location').find((e) => (e.data as { postType?: number }).postType === 2),
        5000,
        'the LBS location',
      );
      expect(loc.data, JSON.stringify(loc.data)).toMatchObject({ resolved: true, lbsType: 4, postType: 2 });
      expect((loc.data as { latitude: number }).latitude).toBeCloseTo(22.544, 2);
      expect(jtEvents(env.bus, 'lbs')).toHaveLength(1);

      // WiFi too: postType 3.
      const both = {
        ...body,
        items: [
          { kind: 'unknown', id: 0x54, raw: wifiItem },
          { kind: 'unknown', id: 0x5d, raw: cellsItem },
        ],
      } as unknown as jt808.Jt808BodyOf<'location-report'>;
      t.send({ type: 'location-report', body: both });
      const wl = await waitFor(
        () => jtEvents(env.bus, 'location').find((e) => (e.data as { postType?: number }).postType === 3),
        5000,
        'the WiFi location',
      );
      expect(wl.data).toMatchObject({ resolved: true, postType: 3 });

      // With a GPS fix the items are not resolved.
      t.send({
        type: 'location-report',
        body: { ...body, status: 2 } as unknown as jt808.Jt808BodyOf<'location-report'>,
      });
      await t.nth(5);
      await waitFor(() => jtEvents(env.bus, 'location').length === 5, 5000, 'five location events');
      expect(jtEvents(env.bus, 'lbs').length + jtEvents(env.bus, 'wifi').length).toBe(2);

      // A blind-area batch (0x0704): each entry without a fix is resolved too.
      t.send({
        type: 'location-batch',
        body: {
          dataType: 1,
          entries: [
            { kind: 'report', report: body },
            { kind: 'report', report: { ...body, status: 2 } },
          ],
        },
      } as unknown as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>);
      const batchLoc = await waitFor(
        () =>
          jtEvents(env.bus, 'location').find(
            (e) => e.type === 'location-batch' && (e.data as { postType?: number }).postType === 2,
          ),
        5000,
        'the batch LBS location',
      );
      expect(batchLoc).toMatchObject({ msgId: 0x0704, data: { resolved: true, lbsType: 4 } });
      expect(jtEvents(env.bus, 'lbs').filter((e) => e.type === 'location-batch')).toHaveLength(1);
    } finally {
      t.end();
      await gw.close();
    }
  });
});

describe('HttpLbsClient', () => {
  it('sends a 15-digit imei for any device id and caches answers', async () => {
    const { lbsImei } = await import('../src/common/lbs.ts');
    expect(lbsImei('13912345678')).toBe('000013912345678');
    expect(lbsImei('00000860112070347838')).toBe('860112070347838'.padStart(15, '0').slice(-15));
    expect(lbsImei(IMEI)).toBe(IMEI);
    const registry = new Registry();
    const counted = new LbsResolver({ dataDir: dir, registry, memoryCacheSize: 0 });
    const s = await startLbsServer({
      resolver: counted,
      token: TOKEN,
      logger: pino({ level: 'silent' }),
      registry,
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const client = new HttpLbsClient({ url: `http://127.0.0.1:${s.port}/`, token: TOKEN });
      const q = { imei: '13912345678', cells: [{ mcc: 460, mnc: 0, lac: 10365, ci: 8049, rssi: 60 }], wifi: [] };
      expect(await client.resolve(q)).toEqual({ code: 0, lat: 22.54, lng: 114.05, accuracy: 800, type: 4 });
      expect(await client.resolve({ ...q, imei: '13900000000' })).toMatchObject({ code: 0 });
      const m = await registry.getSingleMetric('iothub_lbs_queries_total')!.get();
      expect(m.values.reduce((a, v) => a + v.value, 0)).toBe(1);
      expect(await client.resolve({ ...q, cells: [{ mcc: 1, mnc: 1, lac: 1, ci: 2 }] })).toMatchObject({ code: 400 });
    } finally {
      await s.close();
      await counted.close();
    }
  });
});
