/**
 * Every endpoint's request shape against the reference's example records
 * (../shared/docs/jimi-iothub-interface.md §1): events produced by real simulator devices through a
 * real gateway where the simulator sends the message (login, heartbeat, position, batch re-upload,
 * alarm, logout), and from the gateway's documented event shapes for the rest.
 */
import { createLogger, loadConfig, MemoryBus, type UplinkEvent } from '@iothub/core';
import { type GatewayApp, startGatewayApp } from '@iothub/gateways';
import { SimulatedDevice } from '@iothub/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../src/index.ts';
import { dispatcher, makeEvent, publishEvents } from './helpers.ts';
import { type ReceivedRequest, Receiver, waitFor } from './receiver.ts';

const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function recordsAt(receiver: Receiver, path: string): Record<string, unknown>[] {
  return receiver.accepted.filter((r) => r.path === path).flatMap((r) => r.records);
}

describe('Jimi endpoints from real simulated devices through a real gateway', () => {
  const bus = new MemoryBus();
  let app: GatewayApp;
  let receiver: Receiver;
  let d: Dispatcher;
  let jt: SimulatedDevice;
  let jimi: SimulatedDevice;

  beforeAll(async () => {
    receiver = await new Receiver().listen();
    const config = loadConfig({ JT808_PORT: '0', JIMI_PORT: '0', ADMIN_PORT: 'off', LOG_LEVEL: 'silent' });
    app = await startGatewayApp(config, {
      protocols: ['jt808', 'jimi'],
      bus,
      host: '127.0.0.1',
      logger: createLogger({ level: 'silent', service: 'gateway' }),
    });
    d = dispatcher(bus, `${receiver.url}/jimi-iot`, { pushToken: 'a12341234123' });
    await d.start();
    const port = (p: string) => app.servers.find((s) => s.protocol.name === p)?.port ?? 0;
    jt = new SimulatedDevice({
      protocol: 'jt808-2013',
      host: '127.0.0.1',
      port: port('jt808'),
      rate: 10,
      alarmEvery: 3,
      batchEvery: 2,
      heartbeatSeconds: 1,
    });
    jimi = new SimulatedDevice({
      protocol: 'jimi',
      host: '127.0.0.1',
      port: port('jimi'),
      rate: 10,
      alarmEvery: 3,
      heartbeatSeconds: 1,
    });
    jt.start();
    jimi.start();
    const has = (path: string, pred: (r: Record<string, unknown>) => boolean) => () =>
      recordsAt(receiver, path).some(pred);
    await waitFor(
      has('/jimi-iot/pushhb', (r) => r.deviceImei === jimi.deviceId),
      20_000,
      'jimi heartbeat',
    );
    await waitFor(
      has('/jimi-iot/pushhb', (r) => r.deviceImei === jt.deviceId),
      20_000,
      'jt808 heartbeat',
    );
    await waitFor(
      has('/jimi-iot/pushgps', (r) => r.gpsMode === 1),
      20_000,
      'batch re-upload',
    );
    await waitFor(
      has('/jimi-iot/pushalarm', (r) => r.msgClass === 0),
      20_000,
      'jimi alarm',
    );
    await waitFor(
      has('/jimi-iot/pushalarm', (r) => r.msgClass === 1),
      20_000,
      'jt808 alarm',
    );
    await jt.stop();
    await jimi.stop();
    await waitFor(
      () => recordsAt(receiver, '/jimi-iot/pushevent').filter((r) => r.type === 'LOGOUT').length >= 2,
      20_000,
      'logouts',
    );
  }, 60_000);

  afterAll(async () => {
    await d?.close();
    await app?.close();
    await receiver?.close();
  });

  it('every request: POST form with token and data_list (a JSON array as a string)', () => {
    expect(receiver.accepted.length).toBeGreaterThan(0);
    for (const r of receiver.accepted as ReceivedRequest[]) {
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(r.form.token).toBe('a12341234123');
      expect(Array.isArray(JSON.parse(r.form.data_list ?? ''))).toBe(true);
      expect(r.records.length).toBeLessThanOrEqual(50);
    }
  });

  it('/pushevent: LOGIN and LOGOUT for both protocols (reference §1.4 fields)', () => {
    const ev = recordsAt(receiver, '/jimi-iot/pushevent');
    for (const imei of [jt.deviceId, jimi.deviceId]) {
      const mine = ev.filter((r) => r.deviceImei === imei);
      expect(mine.map((r) => r.type)).toEqual(['LOGIN', 'LOGOUT']);
      for (const r of mine) {
        expect(Object.keys(r).sort()).toEqual(['deviceImei', 'gateTime', 'timezone', 'type']);
        expect(r.gateTime).toMatch(TIME);
        expect(r.timezone).toMatch(/^GMT[+-]\d{2}:\d{2}$/);
      }
    }
  });

  it('/pushhb: Jimi terminal information fields; JT/T 808 deviceImei + gateTime', () => {
    const hb = recordsAt(receiver, '/jimi-iot/pushhb');
    const j = hb.find((r) => r.deviceImei === jimi.deviceId);
    expect(j).toMatchObject({ powerLevel: 6, gsmSign: 4, acc: 1, oilEle: 0, gpsPos: 1, powerStatus: 1, fortify: 0 });
    expect(j?.gateTime).toMatch(TIME);
    const t = hb.find((r) => r.deviceImei === jt.deviceId);
    expect(Object.keys(t ?? {}).sort()).toEqual(['deviceImei', 'gateTime']);
  });

  it('/pushgps: the reference example record fields, real-time and re-uploaded', () => {
    const gps = recordsAt(receiver, '/jimi-iot/pushgps');
    // the reference §1.2 example: deviceImei gpsTime gateTime lat lng gpsSpeed direction satelliteNum gpsMode acc postType postMethod altitude status distance
    const jtRec = gps.find((r) => r.deviceImei === jt.deviceId && r.gpsMode === 0);
    expect(jtRec).toBeDefined();
    for (const k of [
      'deviceImei',
      'gpsTime',
      'gateTime',
      'lat',
      'lng',
      'gpsSpeed',
      'direction',
      'satelliteNum',
      'gpsMode',
      'acc',
      'postType',
      'altitude',
      'status',
      'distance',
    ]) {
      expect(jtRec).toHaveProperty(k);
    }
    expect(jtRec).toMatchObject({ postType: 1, acc: 1 });
    expect(jtRec?.gpsTime).toMatch(TIME);
    expect(typeof jtRec?.lat).toBe('number');
    expect(Number.isInteger(jtRec?.distance)).toBe(true);
    expect(gps.some((r) => r.deviceImei === jt.deviceId && r.gpsMode === 1)).toBe(true);
    const jimiRec = gps.find((r) => r.deviceImei === jimi.deviceId);
    for (const k of [
      'deviceImei',
      'gpsTime',
      'gateTime',
      'lat',
      'lng',
      'gpsSpeed',
      'direction',
      'satelliteNum',
      'gpsMode',
      'acc',
      'postType',
      'postMethod',
      'status',
      'distance',
    ]) {
      expect(jimiRec).toHaveProperty(k);
    }
    expect(jimiRec).toMatchObject({ gpsMode: 0, postType: 1, postMethod: 0, acc: 1 });
    expect(((jimiRec?.status as number) & 2) === 2).toBe(true); // positioned
  });

  it('/pushalarm: msgClass 0 (Jimi alarm code) and msgClass 1 (JT/T 808 standard alarm word)', () => {
    const al = recordsAt(receiver, '/jimi-iot/pushalarm');
    const j = al.find((r) => r.msgClass === 0);
    expect(j).toMatchObject({ deviceImei: jimi.deviceId, type: 'DEVICE' });
    expect(j?.msg).toMatchObject({ alertType: '1', alertValue: 'sos' });
    expect((j?.msg as Record<string, unknown> | undefined)?.alarmTime).toMatch(TIME);
    const t = al.find((r) => r.msgClass === 1);
    expect(t).toMatchObject({ deviceImei: jt.deviceId, type: 'DEVICE' });
    expect(t?.msg).toMatchObject({ alertType: '256', standardAlarmValue: 2, alarmNames: ['overspeed'] });
    for (const k of ['alarmTime', 'lat', 'lng', 'gpsSpeed', 'direction', 'altitude']) expect(t?.msg).toHaveProperty(k);
  });
});

describe('Jimi endpoints from the gateways’ documented event shapes', () => {
  let receiver: Receiver;
  let d: Dispatcher;
  const bus = new MemoryBus();
  const imei = '860112070347838';
  const jimiImei = '868120246598152';
  const gps = { latitude: -23.55, longitude: -46.63, speed: 42, course: 180, satellites: 11, positioned: true };
  const events: UplinkEvent[] = [
    makeEvent(
      'lbs',
      jimiImei,
      {
        mcc: 724,
        mnc: 10,
        cells: [
          { lac: 1, cellId: 2, rssi: 30 },
          { lac: 3, cellId: 4, rssi: 20 },
        ],
      },
      { protocol: 'jimi', type: 'lbs-multi' },
    ),
    makeEvent(
      'wifi',
      jimiImei,
      { mcc: 724, mnc: 10, cells: [{ lac: 1, cellId: 2, rssi: 30 }], wifi: [{ mac: 'aa:bb:cc:dd:ee:ff', rssi: 60 }] },
      { protocol: 'jimi', type: 'wifi-lbs' },
    ),
    makeEvent(
      'location',
      jimiImei,
      { ...gps, postType: 2, accuracy: 550, resolved: true, reupload: false },
      { protocol: 'jimi', type: 'location', deviceTime: '2024-05-01T08:00:00.000Z' },
    ),
    makeEvent(
      'location',
      jimiImei,
      { postType: 3, resolved: false, reupload: false },
      { protocol: 'jimi', type: 'location' },
    ),
    makeEvent('instruct-result', jimiImei, {
      msgType: 1,
      response: {
        code: 0,
        msg: 'success',
        data: { _code: '100', _imei: jimiImei, _content: 'OK!', _msg: null, _serverFlagId: 1 },
      },
    }),
    makeEvent(
      'multimedia',
      imei,
      {
        stage: 'data',
        mediaId: 5,
        mediaType: 0,
        mediaFormat: 0,
        event: 1,
        channel: 2,
        file: '/data/media/860112070347838/5-2-1714550400000.jpg',
        size: 1234,
      },
      { type: 'multimedia-data', msgId: 0x0801 },
    ),
    makeEvent('multimedia', imei, { stage: 'event', mediaId: 5 }, { type: 'multimedia-event', msgId: 0x0800 }),
    makeEvent(
      'resource-list',
      imei,
      {
        replySerial: 9,
        total: 1,
        items: [
          {
            channel: 1,
            startTime: '2023-08-26T11:35:55.000Z',
            endTime: '2023-08-26T11:38:54.000Z',
            alarmFlags: '0',
            alarmFlagsLow: 0,
            mediaType: 0,
            streamType: 1,
            storageType: 1,
            fileSize: 1024,
          },
        ],
      },
      { type: 'av-resource-list', msgId: 0x1205 },
    ),
    makeEvent('info', imei, { replySerial: 12, result: 0 }, { type: 'file-upload-completion', msgId: 0x1206 }),
    makeEvent('info', imei, { attributes: 1 }, { type: 'terminal-attributes', msgId: 0x0107 }),
    makeEvent(
      'attachment',
      imei,
      {
        alarmId: { terminalId: 'T1', time: '2024-05-01T08:00:00.000Z', serial: 1, attachmentCount: 1, reserved: '00' },
        alarmNumber: 'ab',
        infoType: 0,
        files: [{ name: 'f.jpg', size: 10 }],
      },
      { type: 'alarm-attachment-list', msgId: 0x1210 },
    ),
    makeEvent(
      'attachment',
      imei,
      { fileName: 'f.jpg', fileType: 0, fileSize: 10 },
      { type: 'alarm-file-upload-complete', msgId: 0x1212 },
    ),
    makeEvent(
      'transparent',
      imei,
      { passThroughType: 0x2005, data: '0a0b' },
      { type: 'uplink-pass-through', msgId: 0x0900 },
    ),
    makeEvent(
      'transparent',
      jimiImei,
      { moduleType: 1, data: 'ff00' },
      { protocol: 'jimi', type: 'transparent', msgId: 0x9b },
    ),
    makeEvent('command-reply', imei, { replySerial: 1, result: 0 }, { type: 'terminal-general-response' }),
  ];

  beforeAll(async () => {
    receiver = await new Receiver().listen();
    d = dispatcher(bus, receiver.url, { concurrency: 1 });
    await d.start();
    await publishEvents(bus, 'iothub', events);
    await waitFor(() => receiver.acceptedRecords().length >= 12, 20_000, '12 records');
  });
  afterAll(async () => {
    await d?.close();
    await receiver?.close();
  });

  it('/pushlbs: postType LBS / WIFI, lbsJson as a JSON string with cellList', () => {
    const r = recordsAt(receiver, '/pushlbs');
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ deviceImei: jimiImei, postType: 'LBS' });
    expect(JSON.parse(r[0]?.lbsJson as string)).toEqual({ mcc: 724, mnc: 10, cellList: '1,2,30;3,4,20' });
    expect(JSON.parse(r[1]?.lbsJson as string)).toEqual({
      mcc: 724,
      mnc: 10,
      cellList: '1,2,30',
      wifiList: 'aa:bb:cc:dd:ee:ff,60',
    });
    expect(r[1]?.postType).toBe('WIFI');
  });

  it('/pushgps: positions resolved from LBS (postType 2, accuracy) and unresolved WiFi (postType 3, lat/lng 0)', () => {
    const r = recordsAt(receiver, '/pushgps');
    expect(r[0]).toMatchObject({
      postType: 2,
      accuracy: 550,
      lat: -23.55,
      lng: -46.63,
      gpsSpeed: 42,
      direction: 180,
      satelliteNum: 11,
      gpsTime: '2024-05-01 08:00:00',
      gateTime: '2026-05-01 08:00:02',
      gpsMode: 0,
    });
    expect(((r[0]?.status as number) & 0b1100) === 0b1100).toBe(true); // south + west bits
    expect(r[1]).toMatchObject({ postType: 3, lat: 0, lng: 0 });
  });

  it('/pushInstructResponse: msgType 1 and the response envelope as the data_list element', () => {
    const req = receiver.accepted.find((x) => x.path === '/pushInstructResponse');
    expect(req?.form.msgType).toBe('1');
    expect(req?.records[0]).toMatchObject({ code: 0, data: { _code: '100', _imei: jimiImei, _serverFlagId: 1 } });
  });

  it('/pushfileupload: stored file name and SUCCESS; multimedia events without a file are not pushed', () => {
    expect(recordsAt(receiver, '/pushfileupload')).toEqual([
      {
        deviceImei: imei,
        fileName: '5-2-1714550400000.jpg',
        gateTime: '2026-05-01 08:00:02',
        result: 'SUCCESS',
        mediaType: 0,
        mediaFormat: 0,
        eventCode: 1,
        channel: 2,
      },
    ]);
  });

  it('/pushresourcelist, /pushftpfileupload, /pushIothubEvent, /pushTerminalTransInfo, /pushPassThroughData', () => {
    expect(recordsAt(receiver, '/pushresourcelist')).toEqual([
      {
        deviceImei: imei,
        imei,
        gateTime: '2026-05-01 08:00:02',
        totalNum: 1,
        instructionID: '9',
        resourceList: [
          {
            channel: 1,
            beginTime: '2023-08-26 11:35:55',
            endTime: '2023-08-26 11:38:54',
            alarmFlag: '0',
            resourceType: 0,
            codeType: 1,
            storageType: 1,
            fileSize: 1024,
          },
        ],
      },
    ]);
    expect(recordsAt(receiver, '/pushftpfileupload')).toEqual([
      { deviceImei: imei, result: 0, instructionID: '12', gateTime: '2026-05-01 08:00:02' },
    ]);
    const ev = recordsAt(receiver, '/pushIothubEvent');
    expect(ev.map((e) => e.eventType)).toEqual(['UploadAlarmFileList', 'UploadAlarmFileEnd']);
    expect(ev[0]?.gateTime).toBe(Date.parse('2026-05-01T08:00:02.000Z'));
    expect(JSON.parse(ev[1]?.eventContent as string)).toEqual({ fileName: 'f.jpg', fileType: 0, fileSize: 10 });
    expect(recordsAt(receiver, '/pushTerminalTransInfo')).toEqual([
      { deviceImei: imei, postTime: '2026-05-01 08:00:02', extensionId: 8197, content: '0A0B' },
    ]);
    expect(recordsAt(receiver, '/pushPassThroughData')).toEqual([
      { deviceImei: jimiImei, gateTime: '2026-05-01 08:00:02', moduleType: 1, content: 'FF00' },
    ]);
  });

  it('kinds without a Jimi endpoint are skipped, not pushed', () => {
    expect(receiver.acceptedRecords()).toHaveLength(12);
  });
});
