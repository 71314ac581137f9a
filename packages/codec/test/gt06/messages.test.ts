import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.ts';
import { toJson } from '../helpers/json.ts';
import { gt06 } from './gt06.ts';

/**
 * Round trips `decode(encode(m)) = m` for every GT06 message type (fast-check, fixed seeds), the
 * replies of `ackFor` / `encodeCommand`, and strict encoding.
 */
const CTX = gt06.DEFAULT_CONTEXT;
const RUNS = { numRuns: 400, seed: 0x06 };

type Msg = Pick<gt06.Gt06KnownMessage, 'type' | 'protocol' | 'body'>;

function roundTrip(m: Msg, header: gt06.Gt06EncodeHeader = { serial: 1 }, options?: gt06.Gt06DecodeOptions): boolean {
  const wire = gt06.encodeGt06(header, m, options);
  const d = gt06.decodeGt06Frame(wire, undefined, options);
  if (!d.ok || d.issues.length > 0) return false;
  const a = toJson(d.message);
  const b = toJson({ type: m.type, protocol: m.protocol, body: m.body });
  // Report a difference through expect for a readable failure.
  if (!isDeepStrictEqual(a, b)) expect(a).toEqual(b);
  return true;
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const second = fc
  .integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31, 23, 59, 59) / 1000 })
  .map((s) => new Date(s * 1000));
const time = fc.option(second, { nil: null, freq: 8 });
const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const ascii = (max: number, chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.:;=#!?-') =>
  fc.string({ unit: fc.constantFrom(...chars), maxLength: max });
const mac = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));

const gps = fc
  .record({
    time,
    gpsInfoLength: fc.integer({ min: 0, max: 15 }),
    satellites: fc.integer({ min: 0, max: 15 }),
    lat: fc.integer({ min: 0, max: 90 * 1_800_000 }),
    north: fc.boolean(),
    lon: fc.integer({ min: 0, max: 180 * 1_800_000 }),
    east: fc.boolean(),
    speed: u8,
    course: fc.integer({ min: 0, max: 360 }),
    positioned: fc.boolean(),
    differential: fc.boolean(),
    acc: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((g): gt06.Gt06Gps => {
    const out: gt06.Gt06Gps = {
      time: g.time,
      gpsInfoLength: g.gpsInfoLength,
      satellites: g.satellites,
      latitude: g.lat === 0 || g.north ? g.lat / 1_800_000 : -g.lat / 1_800_000,
      longitude: g.lon === 0 || g.east ? g.lon / 1_800_000 : -g.lon / 1_800_000,
      speed: g.speed,
      course: g.course,
      positioned: g.positioned,
      differential: g.differential,
    };
    if (g.acc !== undefined) out.acc = g.acc;
    return out;
  });

function cell(format: gt06.Gt06CellFormat): fc.Arbitrary<gt06.Gt06Cell> {
  return fc.boolean().chain((two) =>
    fc.record({
      mcc: fc.integer({ min: 0, max: 0x7fff }),
      mnc: two || format === 'wide' ? u16 : u8,
      mncTwoBytes: fc.constant(two),
      lac: format === '4g' ? u32 : u16,
      cellId: format === '4g' ? fc.maxSafeNat() : format === 'wide' ? u32 : u24,
    }),
  );
}

const alarmStatus = (extended12: boolean, wide = false) =>
  fc
    .tuple(u8, wide ? u16 : u8, u8, u8, u8)
    .map(([t, level, gsm, code, lang]) =>
      gt06.alarmStatusFields(gt06.decodeTerminalInfo(t), level, wide, gsm, code, lang, CTX, extended12),
    );

describe('GT06 round trips: decode(encode(m)) = m', () => {
  it('login (standard and clone forms)', () => {
    fc.assert(
      fc.property(
        digits(15, 15),
        fc.option(u16, { nil: undefined }),
        fc.option(fc.record({ h: fc.integer({ min: 0, max: 40 }), m: fc.integer({ min: 0, max: 59 }) }), {
          nil: undefined,
        }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (imei, typeCode, tz, west, language) => {
          const body: gt06.Login = { imei };
          if (typeCode !== undefined) {
            body.typeCode = typeCode;
            if (tz) body.timeZone = { offsetMinutes: (west ? -1 : 1) * (tz.h * 60 + tz.m) || 0, language };
          }
          const clone: gt06.Login = { imei, softwareVersion: typeCode === undefined ? 0 : typeCode & 0xff };
          return (
            roundTrip({ type: 'login', protocol: 0x01, body }) &&
            roundTrip({ type: 'login', protocol: 0x01, body: clone }, { serial: null, length: 0x0d })
          );
        },
      ),
      RUNS,
    );
  });

  it('location 0x12 / 0x22 / 0xA0 / 0x11 with the optional tail', () => {
    const protocols = [0x12, 0x22, 0xa0, 0x11] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...protocols).chain((p) =>
          fc.record({
            p: fc.constant(p),
            gps,
            cell: fc.option(cell(gt06.locationCellFormat(p)), { nil: undefined }),
            tail: fc.option(fc.tuple(fc.boolean(), u8, fc.boolean()), { nil: undefined }),
            mileage: fc.option(u32, { nil: undefined }),
          }),
        ),
        ({ p, gps: g, cell: c, tail, mileage }) => {
          const body: gt06.LocationStandard = { layout: 'standard', gps: g };
          if (c) body.cell = c;
          if (c && tail) {
            body.acc = tail[0];
            body.uploadMode = tail[1];
            const name = gt06.uploadModeName(tail[1]);
            if (name) body.uploadModeName = name;
            body.reupload = tail[2];
          }
          if (c && mileage !== undefined) body.mileage = mileage;
          return roundTrip({ type: 'location', protocol: p, body });
        },
      ),
      RUNS,
    );
  });

  it('location, NT-family layout', () => {
    fc.assert(
      fc.property(
        gps,
        cell('2g'),
        alarmStatus(false),
        u24,
        u24,
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 20 })),
        (g, c, s, odo, hours, driver) => {
          const body: gt06.LocationNt = {
            layout: 'nt',
            source: 1,
            imei: '357789648774484',
            deviceTime: g.time,
            gps: g,
            cell: c,
            cellFormat: '2g',
            terminalInfo: s.terminalInfo,
            power: 12.34,
            battery: 4.1,
            gsmSignal: s.gsmSignal,
            alarmCode: s.alarmCode,
            language: s.language,
            odometer: odo,
            hoursMinutes: hours,
          };
          const name = gt06.alarmName(s.alarmCode);
          if (name) body.alarm = name;
          if (driver) {
            body.driverIdType = 1;
            body.driverId = Buffer.from(driver);
          }
          return roundTrip(
            { type: 'location', protocol: driver ? 0x25 : 0x22, body },
            { serial: 9 },
            { model: 'NT20' },
          );
        },
      ),
      { numRuns: 200, seed: 0x22 },
    );
  });

  it('heartbeat 0x13 and 0x23', () => {
    fc.assert(
      fc.property(u8, fc.integer({ min: 0, max: 100 }), u8, u8, u8, u16, (t, level, gsm, ext, lang, volts) => {
        const hb: gt06.HeartbeatStandard = {
          layout: 'standard',
          terminalInfo: gt06.decodeTerminalInfo(t),
          ...gt06.voltageFields(level),
          gsmSignal: gsm,
          extendedStatus: ext,
          language: lang,
        };
        const gname = gt06.gsmSignalName(gsm);
        if (gname) hb.gsmSignalName = gname;
        const lname = gt06.languageName(lang);
        if (lname) hb.languageName = lname;
        const hv: gt06.HeartbeatVoltage = {
          terminalInfo: gt06.decodeTerminalInfo(t),
          voltage: volts / 100,
          gsmSignal: gsm,
          extendedStatus: ext,
          language: lang,
        };
        if (gname) hv.gsmSignalName = gname;
        if (lname) hv.languageName = lname;
        return (
          roundTrip({ type: 'heartbeat', protocol: 0x13, body: hb }) &&
          roundTrip({ type: 'heartbeat-voltage', protocol: 0x23, body: hv })
        );
      }),
      RUNS,
    );
  });

  it('alarm 0x16 / 0x26 / 0x27 / 0xA4 and LBS alarm 0x19 / 0xA5', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x16, 0x26, 0x27, 0xa4).chain((p) => {
          const fence = p === 0x27 || p === 0xa4;
          return fc.record({
            p: fc.constant(p),
            gps,
            format: fc.constantFrom('2g' as const, '4g' as const),
            excl: fc.boolean(),
            wide: fence ? fc.constant(false) : fc.boolean(),
            fence: u8,
            mileage: fc.option(u32, { nil: undefined }),
            seed: fc.tuple(u8, u16, u8, u8, u8),
          });
        }),
        cell('2g'),
        cell('4g'),
        (a, c2, c4) => {
          const fence = a.p === 0x27 || a.p === 0xa4;
          const wide = a.wide && a.mileage === undefined;
          const [t, level, gsm, code, lang] = a.seed;
          const status = gt06.alarmStatusFields(
            gt06.decodeTerminalInfo(t),
            wide ? level : level & 0xff,
            wide,
            gsm,
            code,
            lang,
            CTX,
            fence,
          );
          const c = a.format === '2g' ? c2 : c4;
          const body: gt06.AlarmStandard = { layout: 'standard', gps: a.gps, cell: c, cellFormat: a.format, status };
          if (a.excl) body.lbsLength = gt06.cellSize(a.format, c.mncTwoBytes);
          if (fence) body.fenceNumber = a.fence;
          if (a.mileage !== undefined) body.mileage = a.mileage;
          // 0x19 / 0xA5 carry a plain status tail (8-bit alarm code, 1-byte voltage level).
          const lbs: gt06.LbsAlarm = {
            cell: c,
            status: gt06.alarmStatusFields(
              gt06.decodeTerminalInfo(t),
              level & 0xff,
              false,
              gsm,
              code,
              lang,
              CTX,
              false,
            ),
          };
          return (
            roundTrip({ type: 'alarm', protocol: a.p, body }) &&
            roundTrip({ type: 'lbs-alarm', protocol: a.format === '2g' ? 0x19 : 0xa5, body: lbs })
          );
        },
      ),
      RUNS,
    );
  });

  it('LBS multi-cell and WiFi (0x28 / 0xA1 / 0x18 / 0x2C / 0xA2)', () => {
    const entries = (format: gt06.Gt06CellFormat) =>
      fc.array(
        fc.record({ lac: format === '4g' ? u32 : u16, cellId: format === '4g' ? fc.maxSafeNat() : u24, rssi: u8 }),
        { minLength: 7, maxLength: 7 },
      );
    fc.assert(
      fc.property(
        fc.constantFrom(0x28, 0xa1, 0x18, 0x2c, 0xa2).chain((p) => {
          const format = p === 0xa1 || p === 0xa2 ? '4g' : '2g';
          return fc.record({
            p: fc.constant(p),
            time,
            mcc: fc.integer({ min: 0, max: 0x7fff }),
            two: fc.boolean(),
            mnc: u8,
            cells: entries(format),
            ta: u8,
            language: fc.option(u16, { nil: undefined }),
            wifi: fc.array(fc.record({ mac, rssi: u8 }), { maxLength: 5 }),
          });
        }),
        (a) => {
          const base = {
            time: a.time,
            mcc: a.mcc,
            mnc: a.mnc,
            mncTwoBytes: a.two,
            cells: a.cells,
            timingAdvance: a.ta,
          };
          if (a.p === 0x2c || a.p === 0xa2) {
            return roundTrip({ type: 'wifi-lbs', protocol: a.p, body: { ...base, wifi: a.wifi } });
          }
          const body: gt06.LbsMulti = { ...base };
          if (a.language !== undefined) body.language = a.language;
          return roundTrip({ type: 'lbs-multi', protocol: a.p, body });
        },
      ),
      RUNS,
    );
  });

  it('clone WiFi 0x69 / 0x17 (BCD time) and its reply', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x69, 0x17),
        second,
        fc.array(fc.record({ mac, rssi: u8 }), { maxLength: 6 }),
        u16,
        u8,
        fc.array(fc.record({ lac: u16, cellId: u16, rssi: u8 }), { maxLength: 7 }),
        (p, t, wifi, mcc, mnc, cells) => {
          const body: gt06.WifiBcd = { time: t, wifi, mcc, mnc, cells };
          const wire = gt06.encodeGt06({ serial: null }, { type: 'wifi-bcd', protocol: p, body });
          // Byte 2 is the WiFi count in this form.
          if (wire[2] !== wifi.length) return false;
          return (
            roundTrip({ type: 'wifi-bcd', protocol: p, body }, { serial: null }) &&
            roundTrip({ type: 'wifi-bcd-reply', protocol: p, body: { time: t } }, { serial: null })
          );
        },
      ),
      RUNS,
    );
  });

  it('address request, address replies, commands and command replies', () => {
    const noAmp = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.';
    fc.assert(
      fc.property(
        gps,
        digits(0, 21),
        u16,
        u32,
        ascii(40, noAmp),
        fc.string({ unit: fc.constantFrom(...'深圳市宝安区北京路 123ABC'), maxLength: 30 }),
        ascii(60),
        fc.option(u16, { nil: undefined }),
        (g, phone, lang, flag, text, chinese, cmd, cmdLang) => {
          const reply97: gt06.AddressReply = { serverFlag: flag, tag: 'NA', address: text, phone: phone || '0' };
          const reply17: gt06.AddressReply = {
            serverFlag: flag,
            tag: 'ALARMSMS',
            address: chinese,
            phone: phone.padEnd(21, '0'),
          };
          const command: gt06.OnlineCommand = { serverFlag: flag, command: cmd };
          if (cmdLang !== undefined) command.language = cmdLang;
          const short: gt06.CommandReplyShort = { serverFlag: flag, text: cmd.trimEnd() };
          if (cmdLang !== undefined) short.language = cmdLang;
          return (
            roundTrip({ type: 'address-request', protocol: 0x2a, body: { gps: g, phone, language: lang } }) &&
            roundTrip({ type: 'address-reply', protocol: 0x97, body: reply97 }, { start: 'long', serial: 0 }) &&
            roundTrip({ type: 'address-reply', protocol: 0x17, body: reply17 }, { serial: 3 }) &&
            roundTrip({ type: 'online-command', protocol: 0x80, body: command }) &&
            roundTrip(
              { type: 'command-reply', protocol: 0x21, body: { serverFlag: flag, encoding: 1, text: cmd } },
              {
                start: 'long',
                serial: 2,
              },
            ) &&
            roundTrip(
              { type: 'command-reply', protocol: 0x21, body: { serverFlag: flag, encoding: 2, text: chinese } },
              {
                start: 'long',
                serial: 2,
              },
            ) &&
            roundTrip({ type: 'command-reply-short', protocol: 0x15, body: short })
          );
        },
      ),
      RUNS,
    );
  });

  it('information 0x94, transparent 0x9B, time reply 0x8A, acks', () => {
    fc.assert(
      fc.property(
        u16,
        fc.boolean(),
        ascii(80),
        fc.option(second, { nil: undefined }),
        fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
        fc.tuple(digits(15, 15), digits(15, 15), digits(1, 20)),
        fc.uint8Array({ maxLength: 40 }),
        time,
        u8,
        (v, adc2, text, doorTime, [door, triggerHigh, ioHigh], [imei, imsi, iccid], raw, t, proto) => {
          const volt: gt06.InformationContent = { kind: 'external-voltage', voltage: v / 100 };
          if (adc2) volt.adc2 = true;
          const sync = text.replace(/\s+$/, '');
          const doorContent: gt06.InformationContent = { kind: 'door', door, triggerHigh, ioHigh };
          if (doorTime) doorContent.time = doorTime;
          const bodies: gt06.Information[] = [
            { subType: 0, content: volt },
            { subType: 4, content: { kind: 'status-sync', text: sync, fields: gt06.parseStatusSync(sync) } },
            { subType: 5, content: doorContent },
            { subType: 0x0a, content: { kind: 'iccid', imei, imsi, iccid } },
            { subType: 0x08, content: { kind: 'raw', data: Buffer.from(raw) } },
          ];
          const long = { start: 'long' as const, serial: 5 };
          return (
            bodies.every((b) => roundTrip({ type: 'information', protocol: 0x94, body: b }, long)) &&
            roundTrip(
              { type: 'transparent', protocol: 0x9b, body: { moduleType: proto, data: Buffer.from(raw) } },
              long,
            ) &&
            roundTrip({ type: 'time-response', protocol: 0x8a, body: { time: t } }) &&
            (proto === 0x8a || roundTrip({ type: 'ack', protocol: proto, body: {} }, { start: 'long', serial: v }))
          );
        },
      ),
      RUNS,
    );
  });
});

describe('GT06 round trips: camera alarms, modular frames, more 0x94 sub-types', () => {
  const cs = fc.record({
    lat: fc.integer({ min: 0, max: 90 * 1_800_000 }),
    lon: fc.integer({ min: 0, max: 180 * 1_800_000 }),
    flags: u16,
  });
  const files = fc
    .array(ascii(30, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.'), { maxLength: 3 })
    .map((f) => f.filter((x) => x));

  it('camera alarm 0x95 (short, extended, JC400)', () => {
    fc.assert(
      fc.property(time, u8, cs, files, u16, u16, u16, u8, (t, ev, c, names, data, speed, power, info) => {
        const e: { event: number; eventName?: gt06.Gt06CameraEvent } = { event: ev };
        const name = gt06.cameraEventName(ev);
        if (name) e.eventName = name;
        const course = gt06.courseStatus(c.lat, c.lon, c.flags & 0x3fff);
        const short: gt06.CameraAlarm = { layout: 'short', time: t, ...e };
        const ext: gt06.CameraAlarm = { layout: 'extended', time: t, ...course, ...e, eventData: data, files: names };
        const jc: gt06.CameraAlarm = {
          layout: 'jc400',
          version: info,
          time: t,
          gpsInfoLength: info >> 4,
          satellites: info & 15,
          ...course,
          speed,
          power: power / 10,
          ...e,
          eventData: data,
          files: names,
        };
        return [short, ext, jc].every((body) => roundTrip({ type: 'camera-alarm', protocol: 0x95, body }));
      }),
      RUNS,
    );
  });

  it('modular 0x70 re-encodes to the same bytes (derived fields follow the modules)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ type: u16, value: fc.uint8Array({ maxLength: 24 }) }),
            fc.record({
              type: fc.constantFrom(0x33, 0x18, 0x2e, 0x34),
              value: fc.uint8Array({ minLength: 1, maxLength: 18 }),
            }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (mods) => {
          const body: gt06.Modular = { modules: mods.map((m) => ({ type: m.type, value: Buffer.from(m.value) })) };
          const wire = gt06.encodeGt06({ start: 'long', serial: 1 }, { type: 'modular', protocol: 0x70, body });
          const d = gt06.decodeGt06Frame(wire);
          if (!d.ok || d.message.type !== 'modular' || d.issues.length > 0) return false;
          const again = gt06.encodeGt06({ start: 'long', serial: 1 }, d.message);
          return again.equals(wire) && d.message.body.modules.length === mods.length;
        },
      ),
      RUNS,
    );
  });

  it('0x94 network generation, power, RFID and temperature / humidity', () => {
    fc.assert(
      fc.property(
        u8,
        u16,
        ascii(20),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: -400, max: 1000 }),
        u16,
        (g, v, text, id, temp, hum) => {
          const contents: [number, gt06.InformationContent][] = [
            [0x0b, { kind: 'network-generation', value: g }],
            [0x0b, { kind: 'power', voltage: v / 100 }],
            [0x1b, { kind: 'rfid-text', text: `RFID:${text}` }],
            [0x1b, { kind: 'rfid-card', header: 2, cardType: g, id: Buffer.from(id), checksum: g, footer: 3 }],
            [0x1e, { kind: 'temperature-humidity', temperature: temp / 10, humidity: hum / 10 }],
          ];
          return contents.every(([subType, content]) =>
            roundTrip(
              { type: 'information', protocol: 0x94, body: { subType, content } },
              { start: 'long', serial: 2 },
            ),
          );
        },
      ),
      RUNS,
    );
  });
});

describe('GT06 replies', () => {
  const decode = (hex: string, options?: gt06.Gt06DecodeOptions) => {
    const d = gt06.decodeGt06Frame(Buffer.from(hex, 'hex'), undefined, options);
    if (!d.ok) throw new Error(d.issue.code);
    return d;
  };
  const hex = (b: Buffer | null) => b?.toString('hex') ?? null;

  it('acks login, heartbeat and alarm packets with the same protocol and serial', () => {
    expect(hex(gt06.ackFor(decode('78781101075253367890024270003201000512790d0a')))).toBe('7878050100059ff80d0a');
    expect(hex(gt06.ackFor(decode('78780b23050f9204000200088a370d0a')))).toBe('787805230008f29e0d0a');
    const alarm = decode('7878252612030c063816c3026c10540c38c9700144030901cc002866000eee0c06040302000da2db0d0a');
    const ack = gt06.ackFor(alarm)!;
    expect(ack.subarray(0, 6).toString('hex')).toBe('78780526000d');
    expect(gt06.decodeGt06Frame(ack)).toMatchObject({
      ok: true,
      header: { crcOk: true, serial: 13 },
      message: { type: 'ack' },
    });
  });

  it('answers the time request with the given clock, echoing the serial', () => {
    const reply = gt06.ackFor(decode('7878058a000688290d0a'), { now: new Date(Date.UTC(2015, 11, 29, 0, 0, 21)) });
    expect(hex(reply)).toBe('78780b8a0f0c1d0000150006f0860d0a');
  });

  it('answers address requests with "not available" (0x17 Chinese, 0x97 English)', () => {
    const chinese = decode(
      '78782e2a0f0c1d071139ca027ac8000c4658000014d83132353230313335333231373730373900000000000001002a6ece0d0a',
    );
    const r17 = gt06.decodeGt06Frame(gt06.ackFor(chinese)!);
    expect(r17).toMatchObject({
      ok: true,
      header: { start: 'short', protocol: 0x17, serial: 0x2a },
      message: { type: 'address-reply', body: { serverFlag: 0, tag: 'NA', address: 'NA', phone: '0' } },
    });
    const englishReq = gt06.encodeGt06(
      { serial: 7 },
      {
        type: 'address-request',
        protocol: 0x2a,
        body: { ...(chinese.message.body as gt06.AddressRequest), language: 2 },
      },
    );
    const r97 = gt06.ackFor(decode(englishReq.toString('hex')))!;
    // traccar's reply content: len 11, flag 0, "NA&&NA&&0##".
    expect(r97.subarray(0, 10).toString('hex')).toBe('7979001597' + '0b' + '00000000');
    expect(r97.subarray(10, 21).toString('latin1')).toBe('NA&&NA&&0##');
  });

  it('answers the clone WiFi frame with its BCD time, and clone logins with serial 0', () => {
    const wifi = decode('78780069171023110829' + '0100cc080c4e2fa564' + '0d0a');
    expect(hex(gt06.ackFor(wifi))).toBe('78780069171023110829' + '0d0a');
    const login = decode('78780d010861234567890123220d0a');
    const ack = gt06.ackFor(login)!;
    expect(gt06.decodeGt06Frame(ack)).toMatchObject({ ok: true, header: { protocol: 1, serial: 0, crcOk: true } });
  });

  it('acks 0x95 camera alarms and 0x70 modular frames (short header), as traccar does', () => {
    const cam = gt06.encodeGt06(
      { serial: 0x21 },
      { type: 'camera-alarm', protocol: 0x95, body: { layout: 'short', time: null, event: 1 } },
    );
    expect(hex(gt06.ackFor(decode(cam.toString('hex'))))!.slice(0, 12)).toBe('787805950021');
    const mod = gt06.encodeGt06(
      { start: 'long', serial: 0x4e },
      { type: 'modular', protocol: 0x70, body: { modules: [{ type: 0x18, value: Buffer.from('0190', 'hex') }] } },
    );
    expect(hex(gt06.ackFor(decode(mod.toString('hex'))))!.slice(0, 12)).toBe('78780570004e');
  });

  it('does not answer location or information packets', () => {
    expect(
      gt06.ackFor(decode('787822220f0c1d023305c9027ac8180c46586000140001cc00287d001f71000001000820860d0a')),
    ).toBeNull();
    expect(gt06.ackFor(decode('797900089400049f000389e80d0a'))).toBeNull();
  });

  it('encodes 0x80 commands (traccar engine stop) and rejects non-ASCII commands', () => {
    expect(hex(gt06.encodeCommand({ command: 'Relay,1#' }))).toBe('787812800c0000000052656c61792c312300009dee0d0a');
    expect(() => gt06.encodeCommand({ command: 'Relé#' })).toThrow(CodecError);
    expect(() => gt06.encodeCommand({ command: 'x', serverFlag: -1 })).toThrow(CodecError);
    expect(() => gt06.encodeCommand({ command: 'x'.repeat(300) })).toThrow(CodecError);
  });
});

describe('GT06 strict encoding', () => {
  const g: gt06.Gt06Gps = {
    time: new Date(Date.UTC(2024, 0, 1)),
    gpsInfoLength: 12,
    satellites: 5,
    latitude: 10,
    longitude: 20,
    speed: 0,
    course: 0,
    positioned: true,
    differential: false,
  };
  const bad: [string, () => unknown][] = [
    [
      'latitude > 90',
      () => gt06.encodeGt06({ serial: 1 }, { type: 'gps', protocol: 0x10, body: { gps: { ...g, latitude: 91 } } }),
    ],
    [
      'speed > 255',
      () => gt06.encodeGt06({ serial: 1 }, { type: 'gps', protocol: 0x10, body: { gps: { ...g, speed: 300 } } }),
    ],
    [
      'year 2100',
      () =>
        gt06.encodeGt06(
          { serial: 1 },
          { type: 'gps', protocol: 0x10, body: { gps: { ...g, time: new Date(Date.UTC(2100, 0, 1)) } } },
        ),
    ],
    [
      'IMEI with letters',
      () => gt06.encodeGt06({ serial: 1 }, { type: 'login', protocol: 1, body: { imei: '12345abc' } }),
    ],
    [
      'wrong protocol for type',
      () => gt06.encodeGt06({ serial: 1 }, { type: 'login', protocol: 0x22, body: { imei: '1' } }),
    ],
    [
      'short frame too long',
      () =>
        gt06.encodeGt06(
          { serial: 1 },
          { type: 'transparent', protocol: 0x9b, body: { moduleType: 3, data: Buffer.alloc(300) } },
        ),
    ],
    [
      'clone form with long start',
      () => gt06.encodeGt06({ start: 'long', serial: null }, { type: 'gps', protocol: 0x10, body: { gps: g } }),
    ],
    [
      'information kind vs sub-type',
      () =>
        gt06.encodeGt06(
          { serial: 1 },
          {
            type: 'information',
            protocol: 0x94,
            body: { subType: 5, content: { kind: 'external-voltage', voltage: 1 } },
          },
        ),
    ],
  ];
  it.each(bad)('%s throws IOTHUB_ERR_ENCODE_VALUE', (_name, f) => {
    expect(f).toThrow(CodecError);
    try {
      f();
    } catch (e) {
      expect((e as CodecError).code).toBe('IOTHUB_ERR_ENCODE_VALUE');
    }
  });

  it('encodes a long frame around raw content', () => {
    const f = gt06.encodeGt06Raw({ start: 'long', serial: 3 }, 0xf1, Buffer.from('0102', 'hex'));
    expect(gt06.decodeGt06Frame(f)).toMatchObject({
      ok: true,
      header: { start: 'long', protocol: 0xf1, length: 7, serial: 3, crcOk: true },
      message: { type: 'unknown', reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE' } },
    });
  });
});
