import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../src/core/reader.ts';
import { Writer } from '../../src/core/writer.ts';
import { CodecError } from '../../src/errors.ts';
import { jt808 } from '../../src/index.ts';
import { readBasicLocation, writeBasicLocation } from '../../src/jt808/location/basic.ts';
import {
  decodeLocationItem,
  type LocationItem,
  locationItemCodec,
  readLocationItems,
} from '../../src/jt808/location/items.ts';
import { DEFAULT_CONTEXT, type Jt808Context } from '../../src/jt808/message.ts';
import { type Json, toJson } from '../helpers/json.ts';

/**
 * JT/T 808 location family: every additional item id, bad items and trailing junk, the named
 * alarm/status bits, the basic block's hemisphere subtlety, 0x0704 entry errors, and
 * decode(encode(m)) = m properties for 0x0200 and 0x0704 (fixed seeds).
 */

const ctx = DEFAULT_CONTEXT;
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A basic block: alarm 0, status 3, 22.54321 N 114.057865 E, 56 m, 60.5 km/h, 270°, 2024-05-01 08:30:15 +08. */
const BASIC = '00000000 00000003 0157fb6a 06cc6289 0038 025d 010e 240501083015';

function decodeItems(tlvs: string, c: Jt808Context = ctx): { items: LocationItem[]; stop: number; length: number } {
  const buf = hex(tlvs);
  const items: LocationItem[] = [];
  const stop = readLocationItems(buf, 0, buf.length, c, items);
  return { items, stop, length: buf.length };
}

function encodeItems(items: LocationItem[], c: Jt808Context = ctx): string {
  const w = new Writer();
  jt808.writeLocationItems(w, items, c);
  return w.view().toString('hex');
}

function decodeReport(body: Buffer): jt808.LocationReport {
  const { message, issue } = jt808.decodeJt808Body(0x0200, body);
  expect(issue).toBeUndefined();
  if (message.type !== 'location-report') throw new Error(`decoded as ${message.type}`);
  return message.body;
}

/** JSON form without the free-text `detail` of issues (their wording is not part of the contract). */
function shape(v: unknown): Json {
  const strip = (j: Json): Json => {
    if (Array.isArray(j)) return j.map(strip);
    if (j !== null && typeof j === 'object') {
      const o: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(j)) if (k !== 'detail') o[k] = strip(x);
      return o;
    }
    return j;
  };
  return strip(toJson(v));
}

const AID = '54313233343536 240501083015 00 02 00'; // "T123456", 2024-05-01 08:30:15, serial 0, 2 attachments, reserved
const AID_JSON = {
  terminalId: 'T123456',
  time: new Date('2024-05-01T00:30:15Z'),
  serial: 0,
  attachmentCount: 2,
  reserved: hex('00'),
};
// speed 42, altitude 10, 31.230416 N, 121.473701 E, 2024-05-01 08:30:15, vehicle status 0x0401
const TAIL = `2a 000a 01dc89d0 073d8aa5 240501083015 0401 ${AID}`;
const TAIL_JSON = {
  speed: 42,
  altitude: 10,
  latitude: 31.230416,
  longitude: 121.473701,
  time: new Date('2024-05-01T00:30:15Z'),
  vehicleStatus: 0x0401,
  alarmIdentification: AID_JSON,
};

/** [name, TLV hex, expected item] for every registered id (values from protocols/jt808-jt1078.md §6.4). */
const ITEM_CASES: [string, string, LocationItem][] = [
  ['0x01 mileage 1/10 km', '01 04 0001e240', { kind: 'mileage', id: 0x01, mileage: 12345.6 }],
  ['0x02 fuel 1/10 L', '02 02 01c8', { kind: 'fuel', id: 0x02, fuel: 45.6 }],
  ['0x03 recorder speed 1/10 km/h', '03 02 025d', { kind: 'recorderSpeed', id: 0x03, speed: 60.5 }],
  ['0x04 manual alarm event id', '04 02 1234', { kind: 'manualAlarmEvent', id: 0x04, eventId: 0x1234 }],
  [
    '0x05 tyre pressures',
    `05 1e ${'dc'.repeat(4)}${'00'.repeat(26)}`,
    { kind: 'tyrePressure', id: 0x05, pressures: [220, 220, 220, 220, ...new Array<number>(26).fill(0)] },
  ],
  ['0x06 cabin temperature, negative', '06 02 ffec', { kind: 'cabinTemperature', id: 0x06, temperature: -20 }],
  ['0x11 overspeed, no area', '11 01 00', { kind: 'overspeedAlarm', id: 0x11, locationType: 0 }],
  [
    '0x11 overspeed in a polygon',
    '11 05 03 0000abcd',
    { kind: 'overspeedAlarm', id: 0x11, locationType: 3, areaId: 0xabcd },
  ],
  [
    '0x12 out of a route',
    '12 06 04 00000010 01',
    { kind: 'areaAlarm', id: 0x12, locationType: 4, areaId: 16, direction: 1 },
  ],
  [
    '0x13 section too long',
    '13 07 00000009 0e10 01',
    { kind: 'routeTimeAlarm', id: 0x13, sectionId: 9, travelTime: 3600, result: 1 },
  ],
  ['0x14 video alarm bits', '14 04 00000041', { kind: 'videoAlarm', id: 0x14, flags: 0x41 }],
  ['0x15 video signal loss', '15 04 80000001', { kind: 'videoSignalLoss', id: 0x15, channels: 0x80000001 }],
  ['0x16 video occlusion', '16 04 00000006', { kind: 'videoOcclusion', id: 0x16, channels: 6 }],
  ['0x17 storage fault', '17 02 f001', { kind: 'storageFault', id: 0x17, units: 0xf001 }],
  ['0x18 abnormal driving', '18 03 0005 3c', { kind: 'abnormalDriving', id: 0x18, behavior: 5, fatigueLevel: 60 }],
  ['0x25 vehicle signals', '25 04 00004011', { kind: 'vehicleSignals', id: 0x25, signals: 0x4011 }],
  ['0x2A IO status', '2a 02 0001', { kind: 'ioStatus', id: 0x2a, ioStatus: 1 }],
  ['0x2B analog AD1 high, AD0 low', '2b 04 0ce4 04b0', { kind: 'analog', id: 0x2b, ad0: 1200, ad1: 3300 }],
  ['0x30 signal strength', '30 01 1f', { kind: 'signalStrength', id: 0x30, rssi: 31 }],
  ['0x31 satellites', '31 01 0c', { kind: 'satellites', id: 0x31, satellites: 12 }],
  [
    '0x64 ADAS lane departure',
    `64 2f 00000007 01 02 01 50 14 02 00 00 ${TAIL}`,
    {
      kind: 'adasAlarm',
      id: 0x64,
      alarmId: 7,
      flag: 1,
      eventType: 2,
      level: 1,
      frontSpeed: 80,
      frontDistance: 20,
      departureType: 2,
      roadSignType: 0,
      roadSignData: 0,
      ...TAIL_JSON,
    },
  ],
  [
    '0x65 DSM phone call',
    `65 2f 00000008 01 02 02 00 01020304 ${TAIL}`,
    {
      kind: 'dsmAlarm',
      id: 0x65,
      alarmId: 8,
      flag: 1,
      eventType: 2,
      level: 2,
      fatigueLevel: 0,
      reserved: hex('01020304'),
      ...TAIL_JSON,
    },
  ],
  [
    '0x66 TPMS two tyres',
    `66 3b 00000009 02 ${TAIL} 02 01 0002 0352 0041 0050 04 0004 0064 0014 005a`,
    {
      kind: 'tpmsAlarm',
      id: 0x66,
      alarmId: 9,
      flag: 2,
      ...TAIL_JSON,
      events: [
        { tyre: 1, eventType: 2, pressure: 850, temperature: 65, battery: 80 },
        { tyre: 4, eventType: 4, pressure: 100, temperature: 20, battery: 90 },
      ],
    },
  ],
  [
    '0x67 BSD left-rear approach (no level byte)',
    `67 29 0000000a 00 02 ${TAIL}`,
    { kind: 'bsdAlarm', id: 0x67, alarmId: 10, flag: 0, eventType: 2, ...TAIL_JSON },
  ],
  ['0xE1 vendor item kept raw', 'e1 03 010203', { kind: 'unknown', id: 0xe1, raw: hex('010203') }],
  ['0x00 unknown item', '00 01 ff', { kind: 'unknown', id: 0x00, raw: hex('ff') }],
];

describe('0x0200 additional items', () => {
  it.each(ITEM_CASES)('%s', (_name, tlv, expected) => {
    const { items, stop, length } = decodeItems(tlv);
    expect(stop).toBe(length);
    expect(toJson(items)).toEqual(toJson([expected]));
    expect(encodeItems([expected])).toBe(tlv.replace(/\s+/g, ''));
  });

  it('covers every registered id', () => {
    const tested = new Set(ITEM_CASES.map(([, , i]) => i.id));
    for (const c of jt808.LOCATION_ITEM_CODECS) expect(tested.has(c.id), `0x${c.id.toString(16)}`).toBe(true);
    expect(jt808.LOCATION_ITEM_CODECS.map((c) => c.id).sort((a, b) => a - b)).toEqual([
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x25, 0x2a, 0x2b, 0x30, 0x31,
      0x64, 0x65, 0x66, 0x67,
    ]);
  });

  it('decodes the active-safety tail with a regional alarm-id layout (Hunan, 32 bytes)', () => {
    const hunan: Jt808Context = { ...ctx, alarmIdLayout: 'hunan' };
    const aid = `${AID}${'00'.repeat(16)}`;
    const tlv = `67 39 0000000a 00 02 2a 000a 01dc89d0 073d8aa5 240501083015 0401 ${aid}`;
    const { items } = decodeItems(tlv, hunan);
    expect(items[0]).toMatchObject({
      kind: 'bsdAlarm',
      alarmIdentification: { terminalId: 'T123456', attachmentCount: 2 },
    });
    expect(items[0]!.kind === 'bsdAlarm' && items[0]!.alarmIdentification.reserved.length).toBe(17);
    expect(encodeItems(items, hunan)).toBe(tlv.replace(/\s+/g, ''));
    // The same bytes under the default layout are 16 bytes too long: an error entry, not a failure.
    expect(decodeItems(tlv).items[0]).toMatchObject({
      kind: 'invalid',
      id: 0x67,
      error: { code: 'IOTHUB_ERR_FIELD_VALUE' },
    });
  });

  it('reads the level byte of older SmallChi BSD items (one byte longer) and writes it back', () => {
    // SmallChi before c9552b0 (JT808_0x0200_0x67_Test at 2ab3ce8: AlarmLevel = 8, length 42).
    const tlv = `67 2a 0000000a 00 02 01 ${TAIL}`;
    const { items } = decodeItems(tlv);
    expect(toJson(items)).toEqual(
      toJson([{ kind: 'bsdAlarm', id: 0x67, alarmId: 10, flag: 0, eventType: 2, level: 1, ...TAIL_JSON }]),
    );
    expect(encodeItems(items)).toBe(tlv.replace(/\s+/g, ''));
    // Two bytes too many is no layout at all.
    expect(decodeItems(`67 2b 0000000a 00 02 01 ${TAIL} 00`).items[0]).toMatchObject({ kind: 'invalid', id: 0x67 });
  });

  it('reads Guangdong TPMS events with a WORD tyre position (10 bytes each)', () => {
    // SmallChi JT808_0x0200_0x66_Test.cs:80 (YueBiao): 30-byte terminal id, 40-byte identification.
    const gd: Jt808Context = { ...ctx, alarmIdLayout: 'guangdong' };
    const aid = `34343434343434${'00'.repeat(23)} 191210183100 03 02 0506`;
    const events = '0004 0001 0003 0005 0002 0009 0006 0008 000a 0007';
    const tlv = `66 55 00000001 0c 11 0007 0000000d 0000000e 191211183100 0013 ${aid} 02 ${events}`;
    const { items, stop, length } = decodeItems(tlv, gd);
    expect(stop).toBe(length);
    const item = items[0]!;
    if (item.kind !== 'tpmsAlarm') throw new Error(item.kind);
    expect(item.events).toEqual([
      { tyre: 4, eventType: 1, pressure: 3, temperature: 5, battery: 2 },
      { tyre: 9, eventType: 6, pressure: 8, temperature: 10, battery: 7 },
    ]);
    expect(item.alarmIdentification).toMatchObject({ terminalId: '4444444', serial: 3, attachmentCount: 2 });
    expect(encodeItems(items, gd)).toBe(tlv.replace(/\s+/g, ''));
    // Tyre numbers above 255 survive in this layout; the Su-biao BYTE refuses them.
    const wide = { ...item, events: [{ tyre: 0x102, eventType: 0, pressure: 0, temperature: 0, battery: 0 }] };
    expect(decodeItems(encodeItems([wide], gd), gd).items).toEqual([wide]);
    const jiangsuAid = { ...item.alarmIdentification, reserved: hex('00') };
    expect(() => encodeItems([{ ...wide, alarmIdentification: jiangsuAid }])).toThrow(/u8 258/);
  });

  it('finds items by kind, typed', () => {
    const { items } = decodeItems('01 04 0001e240 30 01 1f');
    expect(jt808.findItem(items, 'mileage')?.mileage).toBe(12345.6);
    expect(jt808.findItem(items, 'fuel')).toBeUndefined();
  });

  it('decodes every id and length the same on the switch fast path as through the table', () => {
    // decodeLocationItem dispatches the common standard items by a switch (items.ts); the
    // table's codecs are the reference.
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x25, 0x2a, 0x30, 0x31), fc.integer({ min: 0, max: 255 })),
        fc.uint8Array({ maxLength: 5 }),
        (id, value) => {
          const buf = Buffer.concat([Buffer.from([0xaa]), value, Buffer.from([0x55])]);
          const got = decodeLocationItem(id, buf, 1, value.length, ctx);
          const codec = locationItemCodec(id);
          if (codec === undefined || (codec.length >= 0 && codec.length !== value.length)) {
            expect(got.kind === 'unknown' || got.kind === 'invalid').toBe(true);
            return;
          }
          let want: unknown;
          try {
            want = codec.decode(buf, 1, value.length, ctx);
          } catch {
            want = undefined;
          }
          if (want === undefined) expect(got.kind).toBe('invalid');
          else expect(got).toEqual(want);
        },
      ),
      { seed: 808, numRuns: 5000 },
    );
  });
});

describe('bad items and trailing junk', () => {
  it('keeps a wrong-length item as an error entry and decodes the rest', () => {
    const { items, stop, length } = decodeItems('01 02 0001 30 01 1f 11 03 010203 31 01 0c');
    expect(stop).toBe(length);
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({
      kind: 'invalid',
      id: 0x01,
      raw: hex('0001'),
      error: { code: 'IOTHUB_ERR_FIELD_VALUE' },
    });
    expect(items[1]).toEqual({ kind: 'signalStrength', id: 0x30, rssi: 31 });
    expect(items[2]).toMatchObject({
      kind: 'invalid',
      id: 0x11,
      raw: hex('010203'),
      error: { code: 'IOTHUB_ERR_FIELD_VALUE' },
    });
    expect(items[3]).toEqual({ kind: 'satellites', id: 0x31, satellites: 12 });
    expect(encodeItems(items)).toBe('010200013001' + '1f' + '1103010203' + '31010c');
  });

  it('keeps a truncated active-safety item as an error entry', () => {
    const { items } = decodeItems('64 08 0000000101020304 31 01 0c');
    expect(items[0]).toMatchObject({ kind: 'invalid', id: 0x64, error: { code: 'IOTHUB_ERR_TRUNCATED' } });
    expect(items[1]).toEqual({ kind: 'satellites', id: 0x31, satellites: 12 });
  });

  it.each([
    ['a lone id byte', '30011f 31', '31', 1],
    ['an item longer than the body', '30011f 01 04 0001', '01040001', 4],
    ['an id and a length only', '30011f e1 05', 'e105', 2],
  ])('keeps %s as trailing, reported, re-encoded', (_n, tail, trailingHex, bytes) => {
    expectTrailing(tail, trailingHex, 'IOTHUB_ERR_TRUNCATED', bytes);
  });

  it.each([
    ['a zero byte', '30011f 00', '00', 1],
    ['zero padding', '30011f 0000000000', '0000000000', 5],
  ])('keeps %s at the end as padding, not as empty 0x00 items', (_n, tail, trailingHex, bytes) => {
    expectTrailing(tail, trailingHex, 'IOTHUB_ERR_TRAILING_BYTES', bytes);
  });

  it('still decodes an empty 0x00 item followed by other items', () => {
    const { items } = decodeItems('00 00 30 01 1f');
    expect(items).toEqual([
      { kind: 'unknown', id: 0, raw: hex('') },
      { kind: 'signalStrength', id: 0x30, rssi: 31 },
    ]);
  });

  function expectTrailing(tail: string, trailingHex: string, code: string, bytes: number) {
    const body = hex(BASIC + tail);
    const report = decodeReport(body);
    expect(report.items).toEqual([{ kind: 'signalStrength', id: 0x30, rssi: 31 }]);
    expect(report.trailing?.raw.toString('hex')).toBe(trailingHex);
    expect(report.trailing?.error).toMatchObject({ code, bytes });
    expect(report.latitude).toBe(22.54321);
    expect(jt808.encodeJt808Body({ type: 'location-report', body: report }).equals(body)).toBe(true);
  }

  it('never fails on random bytes after the basic block, and re-encodes what it decoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const body = Buffer.concat([hex(BASIC), tail]);
        const first = decodeReport(body);
        const again = decodeReport(jt808.encodeJt808Body({ type: 'location-report', body: first }));
        expect(toJson(again)).toEqual(toJson(first));
      }),
      { seed: 0x0200, numRuns: 400 },
    );
  });

  it('reports a body shorter than the basic block through the packet layer', () => {
    const { message, issue } = jt808.decodeJt808Body(0x0200, hex('0000000000000003'));
    expect(message.type).toBe('unknown');
    expect(issue?.code).toBe('IOTHUB_ERR_TRUNCATED');
  });
});

describe('item encoding is strict', () => {
  const enc = (item: LocationItem) => () => encodeItems([item]);
  it('rejects an unknown entry for an id that has a codec', () => {
    expect(enc({ kind: 'unknown', id: 0x01, raw: hex('00000001') })).toThrow(CodecError);
  });
  it('rejects a kind that does not match the id', () => {
    expect(enc({ kind: 'mileage', id: 0x02 as 0x01, mileage: 1 })).toThrow(CodecError);
  });
  it('rejects out-of-range values', () => {
    expect(enc({ kind: 'mileage', id: 0x01, mileage: -1 })).toThrow(CodecError);
    expect(enc({ kind: 'fuel', id: 0x02, fuel: 6553.6 })).toThrow(CodecError);
    expect(enc({ kind: 'tyrePressure', id: 0x05, pressures: [1, 2] })).toThrow(CodecError);
    expect(enc({ kind: 'signalStrength', id: 0x30, rssi: 256 })).toThrow(CodecError);
    expect(enc({ kind: 'unknown', id: 0xe1, raw: Buffer.alloc(256) })).toThrow(CodecError);
  });
  it('re-encodes an error entry byte for byte', () => {
    expect(
      encodeItems([{ kind: 'invalid', id: 0x01, raw: hex('01'), error: { code: 'IOTHUB_ERR_FIELD_VALUE' } }]),
    ).toBe('010101');
  });
});

describe('basic block', () => {
  const roundTrip = (loc: jt808.BasicLocation) => {
    const w = new Writer();
    writeBasicLocation(w, loc, ctx);
    expect(w.pos).toBe(28);
    return readBasicLocation(new Reader(w.finish()), ctx);
  };

  it('decodes the spec layout', () => {
    expect(readBasicLocation(new Reader(hex(BASIC)), ctx)).toEqual({
      alarm: 0,
      status: 3,
      latitude: 22.54321,
      longitude: 114.057865,
      altitude: 56,
      speed: 60.5,
      course: 270,
      time: new Date('2024-05-01T00:30:15Z'),
    });
  });

  it('keeps the south/west bits at a zero magnitude and never yields -0', () => {
    const loc = readBasicLocation(
      new Reader(hex('00000000 0000000c 00000000 00000000 0000 0000 0000 000000000000')),
      ctx,
    );
    expect(Object.is(loc.latitude, 0) && Object.is(loc.longitude, 0)).toBe(true);
    expect(loc.status).toBe(0xc);
    expect(loc.time).toBeNull();
    expect(roundTrip(loc)).toEqual(loc);
  });

  it('derives the hemisphere bits from the sign when encoding', () => {
    const base = { alarm: 0, altitude: 0, speed: 0, course: 0, time: null };
    expect(roundTrip({ ...base, status: 0, latitude: -1.5, longitude: -2.25 }).status).toBe(0xc);
    expect(roundTrip({ ...base, status: 0xffffffff, latitude: 1.5, longitude: 2.25 }).status).toBe(0xfffffff3);
    expect(roundTrip({ ...base, status: 0x80000004, latitude: 0, longitude: 0 }).status).toBe(0x80000004);
  });

  it("reads two's-complement int32 coordinates (vendor deviation) and writes them back unchanged", () => {
    // SmallChi JT808_0x0200Test: LatLngTest1_2 (bits 2/3 clear), LatLngTest1_1 (bits set), LngTest1_2.
    for (const [body, lat, lon] of [
      ['00000001 18000000 ff4580f2 f81b0ee4 0028 003c 0000 180715101010', -12.222222, -132.444444],
      ['00000001 0000000c ff4580f2 f81b0ee4 0028 003c 0000 180715101010', -12.222222, -132.444444],
      ['00000001 08000000 00ba7f0e f81b0ee4 0028 003c 0000 180715101010', 12.222222, -132.444444],
    ] as const) {
      const wire = hex(body);
      const loc = readBasicLocation(new Reader(wire), ctx);
      expect(loc).toMatchObject({ latitude: lat, longitude: lon, signedCoordinates: true });
      expect(loc.status).toBe(wire.readUInt32BE(4));
      const w = new Writer();
      writeBasicLocation(w, loc, ctx);
      expect(w.finish()).toEqual(wire);
      const report = decodeReport(wire);
      expect(report).toMatchObject({ latitude: lat, longitude: lon, signedCoordinates: true });
      expect(jt808.encodeJt808Body({ type: 'location-report', body: report })).toEqual(wire);
    }
    // The standard form carries no mark, and a DWORD up to 0x7fffffff is still read as a
    // magnitude (out of range here, but not the signed form).
    expect('signedCoordinates' in readBasicLocation(new Reader(hex(BASIC)), ctx)).toBe(false);
    expect('signedCoordinates' in decodeReport(hex(BASIC))).toBe(false);
    const big = readBasicLocation(
      new Reader(hex('00000000 00000004 7fffffff 00000001 0000 0000 0000 000000000000')),
      ctx,
    );
    expect(big.latitude).toBe(-2147.483647);
    expect(big.signedCoordinates).toBeUndefined();
  });

  it('rejects values that do not fit', () => {
    const base = { alarm: 0, status: 0, latitude: 0, longitude: 0, altitude: 0, speed: 0, course: 0, time: null };
    const w = new Writer();
    expect(() => writeBasicLocation(w, { ...base, speed: -1 }, ctx)).toThrow(CodecError);
    expect(() => writeBasicLocation(w, { ...base, latitude: Number.NaN }, ctx)).toThrow(CodecError);
    expect(() => writeBasicLocation(w, { ...base, altitude: 70000 }, ctx)).toThrow(CodecError);
    expect(() => writeBasicLocation(w, { ...base, status: -1 }, ctx)).toThrow(CodecError);
    const signed = { ...base, signedCoordinates: true } as const;
    expect(() => writeBasicLocation(w, { ...signed, latitude: -2147.483649 }, ctx)).toThrow(CodecError);
    expect(() => writeBasicLocation(w, { ...signed, longitude: Number.NaN }, ctx)).toThrow(CodecError);
  });
});

describe('alarm and status bits', () => {
  it('names no alarm with one shared frozen empty array', () => {
    const a = jt808.alarmNames(0);
    expect(a).toEqual([]);
    expect(a).toBe(jt808.alarmNames(0));
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('names single bits with shared arrays, including bit 31', () => {
    expect(jt808.alarmNames(1)).toEqual(['emergency']);
    expect(jt808.alarmNames(1)).toBe(jt808.alarmNames(1));
    expect(jt808.alarmNames(0x80000000)).toEqual(['illegalDoorOpen']);
  });

  it('names the 2019 bits 15-17 and several bits in bit order', () => {
    expect(jt808.alarmNames(0x00038000)).toEqual([
      'illegalDrivingPreWarning',
      'tyrePressurePreWarning',
      'rightTurnBlindZonePreWarning',
    ]);
    expect(jt808.alarmNames(0xffffffff)).toEqual(jt808.JT808_ALARM_BITS.map((b) => b.name));
    expect(jt808.alarmNames(0x20000002)).toEqual(['overspeed', 'collisionWarning']);
  });

  it('inverts names to a word', () => {
    expect(jt808.alarmWord(['emergency', 'illegalDoorOpen'])).toBe(0x80000001);
    expect(jt808.hasAlarm(0x00100000, 'areaInOut')).toBe(true);
    expect(jt808.hasAlarm(0x00100000, 'routeInOut')).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => jt808.alarmWord(jt808.alarmNames(w)) === w),
      { seed: 17, numRuns: 300 },
    );
  });

  it('decodes the status word, 2019 bits and the load field', () => {
    const s = jt808.decodeStatus(0x0044030f);
    expect(s).toMatchObject({ accOn: true, positioned: true, south: true, west: true, gps: true, moving: true });
    expect(s.load).toBe('full');
    expect(s.outOfService || s.beidou || s.doorLocked || s.forwardCollisionWarning).toBe(false);
    expect(jt808.decodeStatus(0x100).load).toBe('half');
    expect(jt808.decodeStatus(0x200).load).toBe('reserved');
    expect(jt808.decodeStatus(0).load).toBe('empty');
    expect(jt808.decodeStatus(0x000000c0)).toMatchObject({ forwardCollisionWarning: true, laneDepartureWarning: true });
    expect(jt808.decodeStatus(0x0003e000)).toMatchObject({
      door1Open: true,
      door2Open: true,
      door3Open: true,
      door4Open: true,
      door5Open: true,
      doorLocked: false,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffff }), (w) => jt808.statusWord(jt808.decodeStatus(w)) === w),
      { seed: 18, numRuns: 300 },
    );
  });

  it('names alarms without allocating in the common cases (no alarm, one alarm)', () => {
    // No timing here (tests never assert speed): the cheap paths are identity checks.
    expect(jt808.alarmNames(0)).toBe(jt808.alarmNames(0));
    expect(Object.isFrozen(jt808.alarmNames(0))).toBe(true);
    expect(jt808.alarmNames(1)).toBe(jt808.alarmNames(1));
    expect(jt808.alarmNames(1)).toEqual(['emergency']);
  });
});

describe('0x0704 entries', () => {
  const entry = (body: string) => {
    const b = hex(body);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]).toString('hex');
  };
  const decodeBatch = (body: Buffer): jt808.LocationBatch => {
    const { message, issue } = jt808.decodeJt808Body(0x0704, body);
    expect(issue).toBeUndefined();
    if (message.type !== 'location-batch') throw new Error(message.type);
    return message.body;
  };

  it('keeps a bad inner report as an error entry and the others', () => {
    const body = hex(`0003 00 ${entry(BASIC)} ${entry('00000000000000030158')} ${entry(`${BASIC}31010c`)}`);
    const batch = decodeBatch(body);
    expect(batch.entries.map((e) => e.kind)).toEqual(['report', 'invalid', 'report']);
    expect(batch.entries[1]).toMatchObject({
      raw: hex('00000000000000030158'),
      error: { code: 'IOTHUB_ERR_TRUNCATED' },
    });
    expect(batch.declaredCount).toBeUndefined();
    expect(jt808.encodeJt808Body({ type: 'location-batch', body: batch }).equals(body)).toBe(true);
  });

  it('keeps a count that disagrees and a partial last entry', () => {
    const body = hex(`0003 01 ${entry(BASIC)} 001c 0000`);
    const batch = decodeBatch(body);
    expect(batch.entries).toHaveLength(1);
    expect(batch.declaredCount).toBe(3);
    expect(batch.trailing).toMatchObject({ raw: hex('001c0000'), error: { code: 'IOTHUB_ERR_TRUNCATED' } });
    expect(jt808.encodeJt808Body({ type: 'location-batch', body: batch }).equals(body)).toBe(true);
  });

  it('keeps bytes after the declared entries', () => {
    const body = hex(`0001 00 ${entry(BASIC)} ${entry(BASIC)}`);
    const batch = decodeBatch(body);
    expect(batch.entries).toHaveLength(1);
    expect(batch.trailing?.error.code).toBe('IOTHUB_ERR_TRAILING_BYTES');
    expect(jt808.encodeJt808Body({ type: 'location-batch', body: batch }).equals(body)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: decode(encode(m)) = m over the value ranges of every field.

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
/** Second-resolution instants whose GMT+8 year is 2000–2099, or null. */
const time = fc.option(
  fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }).map((s) => new Date(s * 1000)),
  { nil: null },
);
const terminalId = fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'), maxLength: 7 });

const tail = fc.record({
  alarmId: u32,
  flag: u8,
  speed: u8,
  altitude: u16,
  latitude: i32.map((v) => v / 1e6),
  longitude: i32.map((v) => v / 1e6),
  time,
  vehicleStatus: u16,
  alarmIdentification: fc.record({ terminalId, time, serial: u8, attachmentCount: u8, reserved: bytes(1, 1) }),
});

const FIXED_LENGTH = jt808.LOCATION_ITEM_CODECS.filter((c) => c.length >= 0);
const knownIds = new Set<number>(jt808.LOCATION_ITEM_CODECS.map((c) => c.id));
// Not 0x00: an empty 0x00 item at the very end is indistinguishable from zero padding.
const unknownId = fc.integer({ min: 1, max: 0xff }).filter((id) => !knownIds.has(id));

const item: fc.Arbitrary<LocationItem> = fc.oneof(
  u32.map((v) => ({ kind: 'mileage', id: 0x01, mileage: v / 10 }) as const),
  u16.map((v) => ({ kind: 'fuel', id: 0x02, fuel: v / 10 }) as const),
  u16.map((v) => ({ kind: 'recorderSpeed', id: 0x03, speed: v / 10 }) as const),
  u16.map((v) => ({ kind: 'manualAlarmEvent', id: 0x04, eventId: v }) as const),
  fc
    .array(u8, { minLength: 30, maxLength: 30 })
    .map((p) => ({ kind: 'tyrePressure', id: 0x05, pressures: p }) as const),
  fc
    .integer({ min: -0x8000, max: 0x7fff })
    .map((t) => ({ kind: 'cabinTemperature', id: 0x06, temperature: t }) as const),
  fc
    .tuple(u8, fc.option(u32, { nil: undefined }))
    .map(
      ([t, a]): LocationItem =>
        a === undefined
          ? { kind: 'overspeedAlarm', id: 0x11, locationType: t }
          : { kind: 'overspeedAlarm', id: 0x11, locationType: t, areaId: a },
    ),
  fc
    .record({ locationType: u8, areaId: u32, direction: u8 })
    .map((v) => ({ kind: 'areaAlarm', id: 0x12, ...v }) as const),
  fc
    .record({ sectionId: u32, travelTime: u16, result: u8 })
    .map((v) => ({ kind: 'routeTimeAlarm', id: 0x13, ...v }) as const),
  u32.map((v) => ({ kind: 'videoAlarm', id: 0x14, flags: v }) as const),
  u32.map((v) => ({ kind: 'videoSignalLoss', id: 0x15, channels: v }) as const),
  u32.map((v) => ({ kind: 'videoOcclusion', id: 0x16, channels: v }) as const),
  u16.map((v) => ({ kind: 'storageFault', id: 0x17, units: v }) as const),
  fc.record({ behavior: u16, fatigueLevel: u8 }).map((v) => ({ kind: 'abnormalDriving', id: 0x18, ...v }) as const),
  u32.map((v) => ({ kind: 'vehicleSignals', id: 0x25, signals: v }) as const),
  u16.map((v) => ({ kind: 'ioStatus', id: 0x2a, ioStatus: v }) as const),
  fc.record({ ad0: u16, ad1: u16 }).map((v) => ({ kind: 'analog', id: 0x2b, ...v }) as const),
  u8.map((v) => ({ kind: 'signalStrength', id: 0x30, rssi: v }) as const),
  u8.map((v) => ({ kind: 'satellites', id: 0x31, satellites: v }) as const),
  fc
    .tuple(
      tail,
      fc.record({
        eventType: u8,
        level: u8,
        frontSpeed: u8,
        frontDistance: u8,
        departureType: u8,
        roadSignType: u8,
        roadSignData: u8,
      }),
    )
    .map(([t, v]): LocationItem => ({ kind: 'adasAlarm', id: 0x64, ...t, ...v })),
  fc
    .tuple(tail, fc.record({ eventType: u8, level: u8, fatigueLevel: u8, reserved: bytes(4, 4) }))
    .map(([t, v]): LocationItem => ({ kind: 'dsmAlarm', id: 0x65, ...t, ...v })),
  fc
    .tuple(
      tail,
      fc.array(fc.record({ tyre: u8, eventType: u16, pressure: u16, temperature: u16, battery: u16 }), {
        maxLength: 5,
      }),
    )
    .map(([t, events]): LocationItem => ({ kind: 'tpmsAlarm', id: 0x66, ...t, events })),
  fc
    .tuple(tail, fc.record({ eventType: u8, level: u8 }, { requiredKeys: ['eventType'] }))
    .map(([t, v]): LocationItem => ({ kind: 'bsdAlarm', id: 0x67, ...t, ...v })),
  fc.tuple(unknownId, bytes(0, 40)).map(([id, raw]): LocationItem => ({ kind: 'unknown', id, raw })),
  fc
    .tuple(fc.constantFrom(...FIXED_LENGTH), bytes(0, 12))
    .filter(([c, raw]) => raw.length !== c.length)
    .map(([c, raw]): LocationItem => ({ kind: 'invalid', id: c.id, raw, error: { code: 'IOTHUB_ERR_FIELD_VALUE' } })),
);

/** A partial TLV after the items: a lone byte, or a header whose length runs past the end. */
const trailing = fc.option(
  fc.oneof(
    u8.map((b) => Buffer.from([b])),
    fc
      .tuple(u8, fc.integer({ min: 1, max: 255 }), bytes(0, 8))
      .filter(([, len, rest]) => rest.length < len)
      .map(([id, len, rest]) => Buffer.concat([Buffer.from([id, len]), rest])),
  ),
  { nil: undefined },
);

const report: fc.Arbitrary<jt808.LocationReport> = fc
  .record({
    alarm: u32,
    status: u32,
    lat: fc.integer({ min: 0, max: 90_000_000 }),
    lon: fc.integer({ min: 0, max: 180_000_000 }),
    // The vendor int32 form (basic.ts), used when the draw has a negative coordinate.
    signed: fc.option(
      fc.record({
        lat: fc.integer({ min: -90_000_000, max: 90_000_000 }),
        lon: fc.integer({ min: -180_000_000, max: 180_000_000 }),
      }),
      { nil: undefined },
    ),
    altitude: u16,
    speed: u16,
    course: u16,
    time,
    items: fc.array(item, { maxLength: 8 }),
    trailing,
  })
  .map((v) => {
    const r: jt808.LocationReport = {
      alarm: v.alarm,
      status: v.status,
      latitude: v.lat === 0 ? 0 : (v.status & 4 ? -v.lat : v.lat) / 1e6,
      longitude: v.lon === 0 ? 0 : (v.status & 8 ? -v.lon : v.lon) / 1e6,
      altitude: v.altitude,
      speed: v.speed / 10,
      course: v.course,
      time: v.time,
      alarms: jt808.alarmNames(v.alarm),
      items: v.items,
    };
    if (v.signed && (v.signed.lat < 0 || v.signed.lon < 0)) {
      r.latitude = v.signed.lat / 1e6;
      r.longitude = v.signed.lon / 1e6;
      r.signedCoordinates = true;
    }
    if (v.trailing) {
      const code = v.trailing.every((b) => b === 0) ? 'IOTHUB_ERR_TRAILING_BYTES' : 'IOTHUB_ERR_TRUNCATED';
      r.trailing = { raw: v.trailing, error: { code, bytes: v.trailing.length } };
    }
    return r;
  });

describe('round-trip properties', () => {
  it('0x0200: decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(report, (m) => {
        const body = jt808.encodeJt808Body({ type: 'location-report', body: m });
        expect(shape(decodeReport(body))).toEqual(shape(m));
      }),
      { seed: 0x808, numRuns: 500 },
    );
  });

  it('0x0201 / 0x0500: decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(u16, report, fc.constantFrom(0x0201, 0x0500), (replySerial, location, msgId) => {
        const type = msgId === 0x0201 ? 'location-query-response' : 'vehicle-control-response';
        const body = jt808.encodeJt808Body({ type, body: { replySerial, location } });
        const { message, issue } = jt808.decodeJt808Body(msgId, body);
        expect(issue).toBeUndefined();
        expect(message.type).toBe(type);
        expect(shape(message.type === type ? message.body : null)).toEqual(shape({ replySerial, location }));
      }),
      { seed: 0x201, numRuns: 100 },
    );
  });

  it('0x0704: decode(encode(m)) = m, error entries included', () => {
    const batchEntry: fc.Arbitrary<jt808.LocationBatchEntry> = fc.oneof(
      { weight: 4, arbitrary: report.map((r) => ({ kind: 'report', report: r }) as const) },
      {
        weight: 1,
        arbitrary: bytes(0, 27).map(
          (raw) => ({ kind: 'invalid', raw, error: { code: 'IOTHUB_ERR_TRUNCATED' } }) as const,
        ),
      },
    );
    fc.assert(
      fc.property(u8, fc.array(batchEntry, { maxLength: 5 }), (dataType, entries) => {
        const m: jt808.LocationBatch = { dataType, entries };
        const body = jt808.encodeJt808Body({ type: 'location-batch', body: m });
        const { message, issue } = jt808.decodeJt808Body(0x0704, body);
        expect(issue).toBeUndefined();
        if (message.type !== 'location-batch') throw new Error(message.type);
        expect(shape(message.body)).toEqual(shape(m));
      }),
      { seed: 0x704, numRuns: 200 },
    );
  });

  it('0x0704: random bytes never throw and re-encode to what they decoded to', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (a) => {
        const first = jt808.decodeJt808Body(0x0704, Buffer.from(a)).message;
        if (first.type !== 'location-batch') return;
        const again = jt808.decodeJt808Body(0x0704, jt808.encodeJt808Body(first)).message;
        expect(toJson(again)).toEqual(toJson(first));
      }),
      { seed: 0x7040, numRuns: 300 },
    );
  });
});
