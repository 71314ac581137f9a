import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, jt808 } from '../../src/index.ts';
import type { AlarmIdLayout, Jt808Context } from '../../src/jt808/message.ts';
import { type Json, toJson } from '../helpers/json.ts';

/**
 * JT/T 1078 signalling and active-safety (Su-biao) messages on the 808 link (messages/av.ts):
 * regional alarm-identification layouts of 0x1210 / 0x9208, the 64-bit alarm flags of
 * 0x1205 / 0x9205 / 0x9206, tolerance and strictness, and decode(encode(m)) = m for every message.
 * The golden frames are in test/fixtures/jt808/{1003,...,9212}-*.json (golden.test.ts).
 */

type Known = jt808.Jt808KnownMessage;

const hex = (...parts: string[]): Buffer => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
/** ASCII text NUL-padded to n bytes, as hex. */
const fixed = (text: string, n: number): string => {
  const b = Buffer.alloc(n);
  b.write(text, 'latin1');
  return b.toString('hex');
};
/** BYTE length + ASCII text, as hex. */
const str = (text: string): string =>
  Buffer.from([text.length]).toString('hex') + Buffer.from(text, 'latin1').toString('hex');

function decode(msgId: number, body: Buffer, ctx: Partial<Jt808Context> = {}) {
  const res = jt808.decodeJt808Body(msgId, body, ctx);
  return { message: toJson(res.message), issue: res.issue };
}

function expectCodecError(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CodecError);
  expect((err as CodecError).code).toBe('IOTHUB_ERR_ENCODE_VALUE');
}

// Alarm identification time 2024-05-01 08:30:00 GMT+8.
const ALARM_TIME = '240501083000';
const ALARM_TIME_ISO = '2024-05-01T00:30:00.000Z';
const FILE = '00_64_6401_0_A1.jpg';

/**
 * protocols/jt808-jt1078.md §8 table (terminal id / identification lengths) and go-jt808
 * `t_0x1210.go` (no terminal id before the identification in the Heilongjiang layout).
 */
const REGIONAL: { layout: AlarmIdLayout; outerId: number; idLength: number; reserved: number }[] = [
  { layout: 'jiangsu', outerId: 7, idLength: 7, reserved: 1 },
  { layout: 'hunan', outerId: 7, idLength: 7, reserved: 17 },
  { layout: 'heilongjiang', outerId: 0, idLength: 30, reserved: 0 },
  { layout: 'sichuan', outerId: 30, idLength: 30, reserved: 1 },
  { layout: 'guangdong', outerId: 30, idLength: 30, reserved: 2 },
];

describe('regional alarm-identification layouts', () => {
  for (const { layout, outerId, idLength, reserved } of REGIONAL) {
    const reservedHex = '5a'.repeat(reserved);
    const alarmIdHex = [fixed('T-0042', idLength), ALARM_TIME, '09', '01', reservedHex].join('');
    const alarmId = {
      terminalId: 'T-0042',
      time: { $date: ALARM_TIME_ISO },
      serial: 9,
      attachmentCount: 1,
      reserved: { $hex: reservedHex },
    };

    it(`0x1210 ${layout}: terminal id ${outerId} + identification ${idLength + 8 + reserved} bytes`, () => {
      const body = hex(
        outerId > 0 ? fixed('T-0042', outerId) : '',
        alarmIdHex,
        fixed('NO-7', 32),
        '00 01',
        str(FILE),
        '00000400',
      );
      expect(body.length).toBe(outerId + (idLength + 8 + reserved) + 32 + 2 + 1 + FILE.length + 4);
      const expected: Json = {
        type: 'alarm-attachment-list',
        msgId: 0x1210,
        body: {
          ...(outerId > 0 ? { terminalId: 'T-0042' } : {}),
          alarmId,
          alarmNumber: 'NO-7',
          infoType: 0,
          files: [{ name: FILE, size: 1024 }],
        },
      };
      const res = decode(0x1210, body, { alarmIdLayout: layout });
      expect(res.issue).toBeUndefined();
      expect(res.message).toEqual(expected);
      const m = jt808.decodeJt808Body(0x1210, body, { alarmIdLayout: layout }).message as Known;
      expect(jt808.encodeJt808Body(m, { alarmIdLayout: layout }).toString('hex')).toBe(body.toString('hex'));
    });

    it(`0x9208 ${layout}: identification ${idLength + 8 + reserved} bytes`, () => {
      const body = hex(str('10.0.0.5'), '1dbc 0000', alarmIdHex, fixed('NO-7', 32), '00'.repeat(16));
      const res = decode(0x9208, body, { alarmIdLayout: layout });
      expect(res.issue).toBeUndefined();
      expect(res.message).toEqual({
        type: 'alarm-attachment-upload-request',
        msgId: 0x9208,
        body: { serverIp: '10.0.0.5', tcpPort: 7612, udpPort: 0, alarmId, alarmNumber: 'NO-7' },
      });
      const m = jt808.decodeJt808Body(0x9208, body, { alarmIdLayout: layout }).message as Known;
      expect(jt808.encodeJt808Body(m, { alarmIdLayout: layout }).toString('hex')).toBe(body.toString('hex'));
    });
  }

  it('the default (Jiangsu) reading of a Guangdong 0x1210 does not silently succeed', () => {
    const body = hex(fixed('T-0042', 30), fixed('T-0042', 30), ALARM_TIME, '09 01 0000', fixed('NO-7', 32), '00 00');
    const res = jt808.decodeJt808Body(0x1210, body);
    // Mis-configured layout: either an unknown message or trailing bytes, never a clean decode.
    expect(res.issue).toBeDefined();
  });

  it('0x1210 Heilongjiang rejects a terminal id it cannot carry', () => {
    const message = {
      type: 'alarm-attachment-list',
      body: {
        terminalId: 'T-0042',
        alarmId: { terminalId: 'T', time: null, serial: 0, attachmentCount: 0, reserved: Buffer.alloc(0) },
        alarmNumber: '',
        infoType: 0,
        files: [],
      },
    } as unknown as Known;
    expectCodecError(() => jt808.encodeJt808Body(message, { alarmIdLayout: 'heilongjiang' }));
  });

  it('alarm identification reserved bytes must match the layout', () => {
    const message = {
      type: 'alarm-attachment-upload-request',
      body: {
        serverIp: 'h',
        tcpPort: 1,
        udpPort: 0,
        alarmId: { terminalId: 'T', time: null, serial: 0, attachmentCount: 0, reserved: Buffer.alloc(1) },
        alarmNumber: '',
      },
    } as unknown as Known;
    expect(() => jt808.encodeJt808Body(message)).not.toThrow();
    expectCodecError(() => jt808.encodeJt808Body(message, { alarmIdLayout: 'guangdong' }));
  });
});

describe('64-bit alarm flags', () => {
  const query = (flags: string) => hex('01', '240501080000', '240501090000', flags, '02 01 01');

  it('first DWORD on the wire is bits 32–63 (alarmFlagsHigh), second is bits 0–31 (alarmFlagsLow)', () => {
    const body = decode(0x9205, query('00000001 00000002')).message as { body: Record<string, Json> };
    expect(body.body.alarmFlags).toEqual({ $bigint: String((1n << 32n) | 2n) });
    expect(body.body.alarmFlagsHigh).toBe(1);
    expect(body.body.alarmFlagsLow).toBe(2);
  });

  it('bit 63 and all-ones survive as bigint and as unsigned halves', () => {
    let m = decode(0x9205, query('80000000 00000000')).message as { body: Record<string, Json> };
    expect(m.body.alarmFlags).toEqual({ $bigint: (1n << 63n).toString() });
    expect(m.body.alarmFlagsHigh).toBe(0x80000000);
    expect(m.body.alarmFlagsLow).toBe(0);
    m = decode(0x9205, query('ffffffff ffffffff')).message as { body: Record<string, Json> };
    expect(m.body.alarmFlags).toEqual({ $bigint: (2n ** 64n - 1n).toString() });
    expect(m.body.alarmFlagsHigh).toBe(0xffffffff);
    expect(m.body.alarmFlagsLow).toBe(0xffffffff);
  });

  it('helpers build the three views', () => {
    expect(jt808.avAlarmFlagsFromHalves(0x80000000, 1)).toBe((1n << 63n) | 1n);
    expect(jt808.avAlarmFlags((3n << 32n) | 0x80000001n)).toEqual({
      alarmFlags: 15032385537n,
      alarmFlagsHigh: 3,
      alarmFlagsLow: 0x80000001,
    });
  });

  const base = {
    channel: 1,
    startTime: null,
    endTime: null,
    mediaType: 0,
    streamType: 0,
    storageType: 0,
  };
  const enc = (flags: Record<string, unknown>) =>
    jt808.encodeJt808Body({ type: 'query-av-resources', body: { ...base, ...flags } } as unknown as Known);

  it('encodes from alarmFlags alone, halves optional', () => {
    expect(
      enc({ alarmFlags: (5n << 32n) | 6n })
        .subarray(13, 21)
        .toString('hex'),
    ).toBe('0000000500000006');
    expect(enc({ alarmFlags: 1n, alarmFlagsLow: 1, alarmFlagsHigh: 0 }).subarray(13, 21).toString('hex')).toBe(
      '0000000000000001',
    );
  });

  it('rejects inconsistent halves, non-bigints and out-of-range values', () => {
    expectCodecError(() => enc({ alarmFlags: 1n, alarmFlagsLow: 2 }));
    expectCodecError(() => enc({ alarmFlags: 1n << 32n, alarmFlagsHigh: 0 }));
    expectCodecError(() => enc({ alarmFlags: 1 }));
    expectCodecError(() => enc({ alarmFlags: -1n }));
    expectCodecError(() => enc({ alarmFlags: 1n << 64n }));
  });
});

describe('tolerance and strictness', () => {
  const item = (ch: string) => `${ch} 240501080000 240501081500 0000000000000000 02 01 01 00000010`;

  it('0x1205 keeps the whole items when the declared total exceeds the body', () => {
    const res = decode(0x1205, hex('0001 00000003', item('01'), item('02'), 'aabb'));
    const m = res.message as { body: { total: number; items: unknown[] } };
    expect(m.body.total).toBe(3);
    expect(m.body.items).toHaveLength(2);
    expect(res.issue).toEqual({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 2 });
  });

  it('0x1205 with a huge declared total and no items does not loop or allocate', () => {
    const res = decode(0x1205, hex('0001 ffffffff'));
    expect((res.message as { body: { items: unknown[] } }).body.items).toEqual([]);
  });

  it('truncated bodies become unknown messages with the raw bytes', () => {
    for (const [id, body] of [
      [0x9101, hex('09 3132372e302e302e31 0760')],
      [0x1210, hex(fixed('A', 7), fixed('A', 7))],
      [0x9212, hex(str('a.txt'), '00 01 02 00000000')],
    ] as const) {
      const res = jt808.decodeJt808Body(id, body);
      expect(res.message.type).toBe('unknown');
      expect(res.issue?.code).toBe('IOTHUB_ERR_TRUNCATED');
    }
  });

  it('0x9003 with stray bytes decodes and reports them as trailing', () => {
    expect(decode(0x9003, hex('00')).issue).toEqual({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 1 });
  });

  it('encoders reject wrong types and values with IOTHUB_ERR_ENCODE_VALUE', () => {
    const live = { serverIp: '127.0.0.1', tcpPort: 1888, udpPort: 0, channel: 1, dataType: 1, streamType: 1 };
    const e = (body: Record<string, unknown>) =>
      jt808.encodeJt808Body({ type: 'live-av-request', body } as unknown as Known);
    expect(e(live).toString('hex')).toBe('093132372e302e302e3107600000010101');
    expectCodecError(() => e({ ...live, serverIp: 'x'.repeat(256) }));
    expectCodecError(() => e({ ...live, serverIp: 17 }));
    expectCodecError(() => e({ ...live, tcpPort: 70000 }));
    expectCodecError(() => e({ ...live, channel: '1' }));
    const seek = (seekTime: unknown) =>
      jt808.encodeJt808Body({
        type: 'playback-control',
        body: { channel: 1, control: 5, speed: 0, seekTime },
      } as unknown as Known);
    expect(seek(null).toString('hex')).toBe('010500000000000000');
    expectCodecError(() => seek('2024-05-01T00:00:00Z'));
    expectCodecError(() => seek(new Date('1999-12-31T00:00:00Z')));
    expectCodecError(() => seek(new Date(Number.NaN)));
    expectCodecError(() =>
      jt808.encodeJt808Body({
        type: 'alarm-attachment-upload-request',
        body: {
          serverIp: 'h',
          tcpPort: 1,
          udpPort: 0,
          alarmId: { terminalId: 'T', time: null, serial: 0, attachmentCount: 0, reserved: Buffer.alloc(1) },
          alarmNumber: 'x'.repeat(33),
        },
      } as unknown as Known),
    );
    expectCodecError(() =>
      jt808.encodeJt808Body({
        type: 'alarm-file-upload-complete-response',
        body: {
          fileName: 'f',
          fileType: 0,
          result: 1,
          retransmits: Array.from({ length: 256 }, () => ({ offset: 0, length: 1 })),
        },
      } as unknown as Known),
    );
  });

  it('times follow the per-device wire time zone', () => {
    const body = hex('01 05 00 240501080730');
    const gmt8 = decode(0x9202, body).message as { body: { seekTime: Json } };
    const utc = decode(0x9202, body, { timeOffsetMinutes: 0 }).message as { body: { seekTime: Json } };
    expect(gmt8.body.seekTime).toEqual({ $date: '2024-05-01T00:07:30.000Z' });
    expect(utc.body.seekTime).toEqual({ $date: '2024-05-01T08:07:30.000Z' });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: decode(encode(m)) = m, fixed seed.

const SEED = 20240501;
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Whole seconds, 2000..2099 in any wire zone within ±1 day; or null (all-zero BCD). */
const time = fc.option(
  fc.integer({ min: Date.UTC(2000, 0, 2) / 1000, max: Date.UTC(2099, 11, 30) / 1000 }).map((s) => new Date(s * 1000)),
  { nil: null },
);
/** GBK text for length-prefixed strings (ASCII and some CJK), ≤ 255 bytes. */
const text = fc
  .array(fc.constantFrom('a', 'Z', '0', '9', '.', '/', '_', '-', ' ', '报', '警', '文', '件'), { maxLength: 60 })
  .map((a) => a.join(''));
/** ASCII for NUL-padded fixed fields: no NUL at the end (it would be trimmed as padding). */
const ascii = (max: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
const alarmFlags = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => jt808.avAlarmFlags(v));
const layouts = fc.constantFrom<AlarmIdLayout>('jiangsu', 'hunan', 'heilongjiang', 'sichuan', 'guangdong');
const REGIONAL_BY_LAYOUT = new Map(REGIONAL.map((r) => [r.layout, r]));

const alarmId = (layout: AlarmIdLayout) => {
  const l = REGIONAL_BY_LAYOUT.get(layout)!;
  return fc.record({
    terminalId: ascii(l.idLength),
    time,
    serial: u8,
    attachmentCount: u8,
    reserved: fc.uint8Array({ minLength: l.reserved, maxLength: l.reserved }).map((a) => Buffer.from(a)),
  });
};

type Case = { ctx: Partial<Jt808Context>; message: { type: string; body: unknown } };
const msg = (type: string, body: fc.Arbitrary<unknown>): fc.Arbitrary<Case> =>
  fc.record({ version: fc.constantFrom(2013, 2019), body }).map(({ version, body }) => ({
    ctx: { version: version as 2013 | 2019 },
    message: { type, body },
  }));

const playbackOrLive = { serverIp: text, tcpPort: u16, udpPort: u16, channel: u8 };

const ARBITRARIES: Record<string, fc.Arbitrary<Case>> = {
  'av-attributes-response': msg(
    'av-attributes-response',
    fc.record({
      audioCodec: u8,
      audioChannels: u8,
      audioSampleRate: u8,
      audioSampleBits: u8,
      audioFrameLength: u16,
      audioOutput: u8,
      videoCodec: u8,
      maxAudioChannels: u8,
      maxVideoChannels: u8,
    }),
  ),
  'passenger-flow': msg('passenger-flow', fc.record({ startTime: time, endTime: time, boarding: u16, alighting: u16 })),
  'av-resource-list': msg(
    'av-resource-list',
    fc
      .record({
        replySerial: u16,
        items: fc.array(
          fc
            .record({
              channel: u8,
              startTime: time,
              endTime: time,
              flags: alarmFlags,
              mediaType: u8,
              streamType: u8,
              storageType: u8,
              fileSize: u32,
            })
            .map(({ flags, ...rest }) => ({ ...rest, ...flags })),
          { maxLength: 8 },
        ),
      })
      .map((b) => ({ ...b, total: b.items.length })),
  ),
  'file-upload-completion': msg('file-upload-completion', fc.record({ replySerial: u16, result: u8 })),
  'alarm-attachment-list': layouts.chain((layout) =>
    fc
      .record({
        version: fc.constantFrom(2013, 2019),
        terminalId: ascii(REGIONAL_BY_LAYOUT.get(layout)!.outerId),
        alarmId: alarmId(layout),
        alarmNumber: ascii(32),
        infoType: u8,
        files: fc.array(fc.record({ name: text, size: u32 }), { maxLength: 5 }),
      })
      .map(({ version, terminalId, ...rest }) => ({
        ctx: { version: version as 2013 | 2019, alarmIdLayout: layout },
        message: {
          type: 'alarm-attachment-list',
          body: layout === 'heilongjiang' ? rest : { terminalId, ...rest },
        },
      })),
  ),
  'alarm-file-info': msg('alarm-file-info', fc.record({ fileName: text, fileType: u8, fileSize: u32 })),
  'alarm-file-upload-complete': msg(
    'alarm-file-upload-complete',
    fc.record({ fileName: text, fileType: u8, fileSize: u32 }),
  ),
  'query-av-attributes': msg('query-av-attributes', fc.constant({})),
  'live-av-request': msg('live-av-request', fc.record({ ...playbackOrLive, dataType: u8, streamType: u8 })),
  'live-av-control': msg('live-av-control', fc.record({ channel: u8, command: u8, closeType: u8, streamType: u8 })),
  'live-av-status': msg('live-av-status', fc.record({ channel: u8, packetLossRate: u8 })),
  'playback-request': msg(
    'playback-request',
    fc.record({
      ...playbackOrLive,
      mediaType: u8,
      streamType: u8,
      storageType: u8,
      playbackMode: u8,
      speed: u8,
      startTime: time,
      endTime: time,
    }),
  ),
  'playback-control': msg('playback-control', fc.record({ channel: u8, control: u8, speed: u8, seekTime: time })),
  'query-av-resources': msg(
    'query-av-resources',
    fc
      .record({
        channel: u8,
        startTime: time,
        endTime: time,
        flags: alarmFlags,
        mediaType: u8,
        streamType: u8,
        storageType: u8,
      })
      .map(({ flags, ...rest }) => ({ ...rest, ...flags })),
  ),
  'file-upload-command': msg(
    'file-upload-command',
    fc
      .record({
        ftpHost: text,
        ftpPort: u16,
        username: text,
        password: text,
        uploadPath: text,
        channel: u8,
        startTime: time,
        endTime: time,
        flags: alarmFlags,
        mediaType: u8,
        streamType: u8,
        storageType: u8,
        conditions: u8,
      })
      .map(({ flags, ...rest }) => ({ ...rest, ...flags })),
  ),
  'file-upload-control': msg('file-upload-control', fc.record({ replySerial: u16, control: u8 })),
  'alarm-attachment-upload-request': layouts.chain((layout) =>
    fc
      .record({
        version: fc.constantFrom(2013, 2019),
        serverIp: text,
        tcpPort: u16,
        udpPort: u16,
        alarmId: alarmId(layout),
        alarmNumber: ascii(32),
        reserved: fc.option(
          fc
            .uint8Array({ minLength: 16, maxLength: 16 })
            .filter((a) => a.some((b) => b !== 0))
            .map((a) => Buffer.from(a)),
          { nil: undefined },
        ),
      })
      .map(({ version, reserved, ...rest }) => ({
        ctx: { version: version as 2013 | 2019, alarmIdLayout: layout },
        message: {
          type: 'alarm-attachment-upload-request',
          body: reserved === undefined ? rest : { ...rest, reserved },
        },
      })),
  ),
  'alarm-file-upload-complete-response': msg(
    'alarm-file-upload-complete-response',
    fc.record({
      fileName: text,
      fileType: u8,
      result: u8,
      retransmits: fc.array(fc.record({ offset: u32, length: u32 }), { maxLength: 10 }),
    }),
  ),
};

describe('decode(encode(m)) = m', () => {
  it('covers every message of the av group', () => {
    expect(Object.keys(ARBITRARIES).sort()).toEqual(jt808.avMessages.map((c) => c.type).sort());
  });

  for (const [type, arb] of Object.entries(ARBITRARIES)) {
    it(type, () => {
      fc.assert(
        fc.property(arb, ({ ctx, message }) => {
          const encoded = jt808.encodeJt808Body(message as Known, ctx);
          const res = jt808.decodeJt808Body(jt808.msgIdOf(type as jt808.Jt808MessageType), encoded, ctx);
          expect(res.issue).toBeUndefined();
          expect(res.message.type).toBe(type);
          expect(toJson((res.message as Known).body)).toEqual(toJson(message.body));
        }),
        { seed: SEED, numRuns: 150 },
      );
    });
  }

  it('random bodies never throw', () => {
    const ids = jt808.avMessages.map((c) => c.msgId);
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 200 }), layouts, (id, bytes, layout) => {
        const res = jt808.decodeJt808Body(id, Buffer.from(bytes), { alarmIdLayout: layout });
        expect(['unknown', jt808.codecForId(id)?.type]).toContain(res.message.type);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
