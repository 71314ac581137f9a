import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError, jt808 } from '../../src/index.ts';
import type { Jt808Context } from '../../src/jt808/message.ts';
import { toJson } from '../helpers/json.ts';

/**
 * Platform → terminal messages (messages/platform.ts), 0x0104 and the terminal parameter table
 * (params.ts): table contents, canonical vs raw parameter values, the JSON form for the
 * instruction API, tolerance and strictness, and decode(encode(m)) = m for every message.
 * The golden frames are in test/fixtures/jt808/{0104,8003,...,8900}-*.json (golden.test.ts).
 */

type Known = jt808.Jt808KnownMessage;
type Version = 2013 | 2019;

const hex = (...parts: string[]): Buffer => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');

function decode(msgId: number, body: Buffer, ctx: Partial<Jt808Context> = {}) {
  return jt808.decodeJt808Body(msgId, body, ctx);
}

function encode(message: Pick<Known, 'type' | 'body'>, version: Version = 2013): Buffer {
  return jt808.encodeJt808Body(message, { version });
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

describe('parameter table', () => {
  it('has one entry per id with a valid type and a unique camelCase name', () => {
    const names = new Set<string>();
    for (const [id, def] of jt808.JT808_PARAMS) {
      expect(def.id).toBe(id);
      expect(['dword', 'word', 'byte', 'string', 'bytes']).toContain(def.type);
      expect(def.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(names.has(def.name), def.name).toBe(false);
      names.add(def.name);
      if (def.length !== undefined) expect(def.type).toBe('bytes');
    }
  });

  it('covers the standard ids with the spec types', () => {
    const type = (id: number) => jt808.paramDef(id)?.type;
    // JT/T 808-2013 parameter table, spot checks of each type
    expect(type(0x0001)).toBe('dword');
    expect(type(0x0013)).toBe('string');
    expect(type(0x0031)).toBe('word');
    expect(type(0x005d)).toBe('word');
    expect(type(0x0083)).toBe('string');
    expect(type(0x0084)).toBe('byte');
    expect(type(0x0093)).toBe('dword');
    expect(type(0x0101)).toBe('word');
    // 2019 additions and removals
    expect(jt808.paramDef(0x0023)).toMatchObject({ type: 'string', since: 2019 });
    expect(jt808.paramDef(0x0032)).toMatchObject({ type: 'bytes', length: 4, since: 2019 });
    expect(jt808.paramDef(0x0018)).toMatchObject({ type: 'dword', until: 2013 });
    // JT/T 1078
    expect(jt808.paramDef(0x0075)).toMatchObject({ type: 'bytes', length: 21 });
    expect(type(0x007a)).toBe('dword');
    expect(jt808.paramDef(0x0076)?.length).toBeUndefined();
    // CAN id sampling range
    expect(jt808.paramDef(0x0110)).toMatchObject({ type: 'bytes', length: 8 });
    expect(jt808.paramDef(0x01ff)).toMatchObject({ type: 'bytes', length: 8 });
    // reserved and user-defined ids are unknown
    expect(jt808.paramDef(0x0008)).toBeUndefined();
    expect(jt808.paramDef(0x0200)).toBeUndefined();
    expect(jt808.paramDef(0xf001)).toBeUndefined();
  });

  it('types values only when canonical, so re-encoding is exact', () => {
    const buf = hex('0000001e 001e 41 4142 414200 b2e2cad4 81 aabbccdd');
    const v = (id: number, start: number, len: number) => jt808.decodeParamValue(id, buf, start, len);
    expect(v(0x0001, 0, 4)).toBe(30);
    expect(v(0x0001, 4, 2)).toEqual(hex('001e')); // DWORD sent with 2 bytes
    expect(v(0x0031, 4, 2)).toBe(30);
    expect(v(0x0084, 6, 1)).toBe(0x41);
    expect(v(0x0084, 7, 2)).toEqual(hex('4142')); // BYTE sent with 2 bytes
    expect(v(0x0083, 7, 2)).toBe('AB');
    expect(v(0x0083, 9, 3)).toEqual(hex('414200')); // trailing NUL: raw
    expect(v(0x0083, 12, 4)).toBe('测试');
    expect(v(0x0083, 16, 1)).toEqual(hex('81')); // lone GBK lead byte: raw
    expect(v(0x0083, 0, 0)).toBe('');
    const raw = v(0xf001, 17, 4) as Buffer;
    expect(raw).toEqual(hex('aabbccdd'));
    expect(raw.buffer).toBe(buf.buffer); // a view, not a copy
  });

  it('reads items to the end of the body whatever the count says', () => {
    // count 1, two items
    const body = hex('01 00000001 04 0000000a 00000029 04 0000001e');
    const res = decode(0x8103, body);
    expect(res.issue).toBeUndefined();
    expect(toJson(res.message)).toEqual({
      type: 'set-params',
      msgId: 0x8103,
      body: {
        params: [
          { id: 1, value: 10 },
          { id: 0x29, value: 30 },
        ],
        declaredCount: 1,
      },
    });
    expect(encode(res.message as Known).equals(body)).toBe(true);
  });

  it('stops at an item running past the end and reports the rest as trailing', () => {
    const res = decode(0x0104, hex('0001 02 00000001 04 0000000a 00000013 09 313237'));
    expect(res.issue).toMatchObject({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 8 });
    expect(toJson(res.message)).toEqual({
      type: 'query-params-response',
      msgId: 0x0104,
      body: { replySerial: 1, params: [{ id: 1, value: 10 }], declaredCount: 2 },
    });
  });

  it('rejects values the table cannot hold', () => {
    const set = (params: jt808.TerminalParam[]) => () => encode({ type: 'set-params', body: { params } });
    expectCodecError(set([{ id: 0x0001, value: 'x' }]));
    expectCodecError(set([{ id: 0x0013, value: 1 }]));
    expectCodecError(set([{ id: 0x0001, value: 0x1_0000_0000 }]));
    expectCodecError(set([{ id: 0x0031, value: 0x10000 }]));
    expectCodecError(set([{ id: 0x0084, value: -1 }]));
    expectCodecError(set([{ id: 0x0032, value: 1 }]));
    expectCodecError(set([{ id: 0xf001, value: 1 }]));
    expectCodecError(set([{ id: 0x0013, value: 'x'.repeat(256) }]));
    expectCodecError(set([{ id: 0xf001, value: Buffer.alloc(256) }]));
    expectCodecError(set(Array.from({ length: 256 }, () => ({ id: 1, value: 1 }))));
    // raw bytes are always accepted, whatever the type
    expect(encode({ type: 'set-params', body: { params: [{ id: 1, value: hex('01') }] } })).toEqual(
      hex('01 00000001 01 01'),
    );
  });
});

describe('parameter JSON form', () => {
  const params: jt808.TerminalParam[] = [
    { id: 0x0001, value: 30 },
    { id: 0x0083, value: '粤B12345' },
    { id: 0x0032, value: hex('16320a1e') },
    { id: 0xf001, value: hex('aabb') },
    { id: 0x0055, value: 120 },
  ];

  it('keys by hex id in list order, bytes as $hex', () => {
    const json = jt808.paramsToJson(params);
    expect(json).toEqual({
      '0x0001': 30,
      '0x0083': '粤B12345',
      '0x0032': { $hex: '16320a1e' },
      '0xF001': { $hex: 'aabb' },
      '0x0055': 120,
    });
    expect(Object.keys(json)).toEqual(['0x0001', '0x0083', '0x0032', '0xF001', '0x0055']);
    expect(jt808.paramKey(0x12345)).toBe('0x12345');
  });

  it('round-trips through JSON text', () => {
    const back = jt808.paramsFromJson(JSON.parse(JSON.stringify(jt808.paramsToJson(params))));
    expect(toJson(back)).toEqual(toJson(params));
  });

  it('accepts plain hex for BYTE[n] and unknown ids, any key case', () => {
    expect(toJson(jt808.paramsFromJson({ '0x32': '16320A1E', '0XF001': 'aabb', '0x005a': 600 }))).toEqual([
      { id: 0x32, value: { $hex: '16320a1e' } },
      { id: 0xf001, value: { $hex: 'aabb' } },
      { id: 0x5a, value: 600 },
    ]);
  });

  it('rejects bad keys, wrong types and out-of-range values', () => {
    expectCodecError(() => jt808.paramsFromJson([]));
    expectCodecError(() => jt808.paramsFromJson(null));
    expectCodecError(() => jt808.paramsFromJson({ '1': 30 }));
    expectCodecError(() => jt808.paramsFromJson({ '0x': 30 }));
    expectCodecError(() => jt808.paramsFromJson({ '0x123456789': 30 }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0001': '30' }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0013': 1 }));
    expectCodecError(() => jt808.paramsFromJson({ '0xF001': 1 }));
    expectCodecError(() => jt808.paramsFromJson({ '0xF001': 'xyz' }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0001': { $hex: 'abc' } }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0001': { hex: 'ab' } }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0001': true }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0001': -1 }));
    expectCodecError(() => jt808.paramsFromJson({ '0x0084': 256 }));
  });
});

describe('platform messages: version differences, tolerance, strictness', () => {
  it('0x8003 count is a BYTE in 2013 and a WORD in 2019', () => {
    const m: Pick<Known, 'type' | 'body'> = {
      type: 'resend-subpackage-request',
      body: { firstSerial: 1, packageIndexes: [2] },
    };
    expect(encode(m, 2013)).toEqual(hex('0001 01 0002'));
    expect(encode(m, 2019)).toEqual(hex('0001 0001 0002'));
    const many = { ...m, body: { firstSerial: 1, packageIndexes: Array.from({ length: 256 }, (_, i) => i + 1) } };
    expectCodecError(() => encode(many, 2013));
    expect(encode(many, 2019).length).toBe(4 + 512);
    expect(decode(0x8003, hex('0001 05 0002'), { version: 2013 }).message.type).toBe('unknown');
  });

  it('0x8004 is UTC whatever the device time zone', () => {
    for (const timeOffsetMinutes of [480, 0, -300]) {
      const res = decode(0x8004, hex('240315083045'), { version: 2019, timeOffsetMinutes });
      expect(toJson(res.message)).toMatchObject({ body: { time: { $date: '2024-03-15T08:30:45.000Z' } } });
    }
    expect(toJson(decode(0x8004, hex('000000000000')).message)).toMatchObject({ body: { time: null } });
  });

  it('0x8100 carries the auth code only with result 0', () => {
    expect(toJson(decode(0x8100, hex('0001 00')).message)).toMatchObject({
      body: { replySerial: 1, result: 0, authCode: '' },
    });
    const refused = decode(0x8100, hex('0001 02 4142'));
    expect(toJson(refused.message)).toMatchObject({ body: { replySerial: 1, result: 2 } });
    expect(refused.issue).toMatchObject({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 2 });
    expectCodecError(() => encode({ type: 'register-response', body: { replySerial: 1, result: 0 } }));
    expectCodecError(() => encode({ type: 'register-response', body: { replySerial: 1, result: 1, authCode: 'x' } }));
  });

  it('0x8105 keeps the params string and splits it on request', () => {
    const upgrade = jt808.formatUpgradeParams({
      url: 'http://fw/a.bin',
      apn: 'cmnet',
      address: 'fw.example.com',
      tcpPort: 7000,
      manufacturerId: 'ABCDE',
      connectTimeLimit: 10,
    });
    expect(upgrade).toBe('http://fw/a.bin;cmnet;;;fw.example.com;7000;;ABCDE;;;10');
    expect(jt808.parseUpgradeParams(upgrade)).toMatchObject({ url: 'http://fw/a.bin', tcpPort: '7000', udpPort: '' });
    expect(jt808.formatConnectServerParams({ connectionControl: 1, authCode: 'x' })).toBe('1');
    const connect = jt808.formatConnectServerParams({ connectionControl: 0, authCode: 'A1', address: 'h', tcpPort: 1 });
    expect(connect).toBe('0;A1;;;;h;1;;');
    expect(jt808.parseConnectServerParams('1')).toMatchObject({ connectionControl: '1', authCode: '', tcpPort: '' });
    const body = Buffer.concat([hex('01'), Buffer.from(upgrade)]);
    expect(toJson(decode(0x8105, body).message)).toEqual({
      type: 'terminal-control',
      msgId: 0x8105,
      body: { command: 1, params: upgrade },
    });
  });

  it('0x8105 keeps params that are not clean GBK text as raw bytes too', () => {
    // binary TCP port WORD 0x1b58 and a NUL inside the string (as SmallChi's serializer writes)
    const body = hex('01 613b 1b58 3b 00 3b 81 00');
    const res = decode(0x8105, body);
    expect(res.issue).toBeUndefined();
    expect(toJson(res.message)).toMatchObject({ body: { command: 1, paramsRaw: { $hex: '613b1b583b003b8100' } } });
    expect(encode(res.message as Known).equals(body)).toBe(true);
  });

  it('0x8106 rejects a truncated id list', () => {
    expect(decode(0x8106, hex('02 00000001')).message).toMatchObject({
      type: 'unknown',
      reason: { code: 'IOTHUB_ERR_TRUNCATED' },
    });
  });

  it('0x8300 has a text type only in 2019', () => {
    const b2013 = hex('01 68 69');
    expect(toJson(decode(0x8300, b2013, { version: 2013 }).message)).toMatchObject({ body: { flag: 1, text: 'hi' } });
    expect(toJson(decode(0x8300, b2013, { version: 2019 }).message)).toMatchObject({
      body: { flag: 1, textType: 0x68, text: 'i' },
    });
    expectCodecError(() => encode({ type: 'text-message', body: { flag: 1, text: 'x' } }, 2019));
    expectCodecError(() => encode({ type: 'text-message', body: { flag: 1, textType: 1, text: 'x' } }, 2013));
  });

  it('0x8500 keeps unknown and truncated control items raw', () => {
    // 2019: door item, then a truncated door item (no parameter byte)
    const res = decode(0x8500, hex('0002 0001 01 0001'), { version: 2019 });
    expect(res.issue).toBeUndefined();
    expect(toJson(res.message)).toMatchObject({
      body: { controls: [{ typeId: 1, param: 1 }], unparsed: { $hex: '0001' }, declaredCount: 2 },
    });
    // count 0 but an item follows: trailing
    expect(decode(0x8500, hex('0000 0001 01'), { version: 2019 }).issue).toMatchObject({
      code: 'IOTHUB_ERR_TRAILING_BYTES',
    });
    expectCodecError(() => encode({ type: 'vehicle-control', body: { controlFlag: 1 } }, 2019));
    expectCodecError(() => encode({ type: 'vehicle-control', body: { controls: [] } }, 2013));
    expectCodecError(() =>
      encode({ type: 'vehicle-control', body: { controls: [{ typeId: 0xf001, param: 1 }] } }, 2019),
    );
  });

  it('0x8802 / 0x8803 times follow the device time zone', () => {
    const body = hex('00 00 01 240102030405 000000000000');
    const utc = decode(0x8802, body, { timeOffsetMinutes: 0 });
    expect(toJson(utc.message)).toMatchObject({ body: { startTime: { $date: '2024-01-02T03:04:05.000Z' } } });
  });

  it('truncated fixed bodies become unknown messages with the raw bytes', () => {
    for (const [id, body] of [
      [0x8202, hex('000a 0000')],
      [0x8801, hex('01 0003 0005 00 02')],
      [0x8804, hex('01 00')],
      [0x8805, hex('0000007e')],
    ] as const) {
      const res = decode(id, body);
      expect(res.message).toMatchObject({ type: 'unknown', msgId: id, reason: { code: 'IOTHUB_ERR_TRUNCATED' } });
      expect((res.message as jt808.Jt808UnknownMessage).body.equals(body)).toBe(true);
    }
  });

  it('registers every message of the group with its id and direction', () => {
    const ids = jt808.platformMessages.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of jt808.platformMessages) {
      expect(jt808.codecForId(m.msgId)).toBe(m);
      expect(m.direction).toBe(m.msgId === 0x0104 ? 'up' : 'down');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// decode(encode(m)) = m

const RUNS = { seed: 20_808, numRuns: 150 } as const;

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength = 24) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
/** Text that GBK-encodes canonically and has no trailing NUL (STRING fields trim NULs). */
const text = (maxLength = 24) =>
  fc.string({
    unit: fc.constantFrom(...'abcXYZ019 :;./-_'.split(''), '粤', '测', '试', '鉴', '权', '码', 'é'.normalize()),
    maxLength,
  });
/** Whole seconds within what BCD[6] can hold in any wire zone, or null. */
const time = fc.option(
  fc.integer({ min: Date.UTC(2000, 0, 2) / 1000, max: Date.UTC(2099, 11, 30) / 1000 }).map((s) => new Date(s * 1000)),
  { nil: null },
);

const KNOWN_IDS = [...jt808.JT808_PARAMS.keys(), 0x0111, 0x01ff];

const paramValue = (id: number): fc.Arbitrary<jt808.ParamValue> => {
  const def = jt808.paramDef(id);
  const rawNot = (n: number) => bytes(12).filter((b) => b.length !== n);
  switch (def?.type) {
    case 'dword':
      return fc.oneof(u32, rawNot(4));
    case 'word':
      return fc.oneof(u16, rawNot(2));
    case 'byte':
      return fc.oneof(u8, rawNot(1));
    case 'string':
      return text(40);
    case 'bytes':
    case undefined:
      return bytes(40);
  }
};

const param: fc.Arbitrary<jt808.TerminalParam> = fc
  .oneof(
    fc.constantFrom(...KNOWN_IDS),
    u32.filter((id) => jt808.paramDef(id) === undefined),
  )
  .chain((id) => paramValue(id).map((value) => ({ id, value })));

const paramList = fc
  .tuple(fc.array(param, { maxLength: 12 }), fc.option(u8, { nil: undefined }))
  .map(([params, declared]) =>
    declared === undefined || declared === params.length ? { params } : { params, declaredCount: declared },
  );

const bodies: Record<string, (v: Version) => fc.Arbitrary<unknown>> = {
  'resend-subpackage-request': (v) =>
    fc.record({ firstSerial: u16, packageIndexes: fc.array(u16, { maxLength: v === 2019 ? 300 : 255 }) }),
  'server-time-response': () => fc.record({ time }),
  'register-response': () =>
    fc.oneof(
      fc.record({ replySerial: u16, result: fc.constant(0), authCode: text() }),
      fc.record({ replySerial: u16, result: fc.integer({ min: 1, max: 0xff }) }),
    ),
  'set-params': () => paramList,
  'query-params-response': () => fc.tuple(u16, paramList).map(([replySerial, l]) => ({ replySerial, ...l })),
  'query-all-params': () => fc.constant({}),
  'terminal-control': () =>
    fc.record({ command: u8, params: text(60).filter((s) => s.length > 0) }, { requiredKeys: ['command'] }),
  'query-given-params': () => fc.record({ ids: fc.array(u32, { maxLength: 30 }) }),
  'query-attributes': () => fc.constant({}),
  'query-location': () => fc.constant({}),
  'temporary-tracking': () => fc.record({ interval: u16, validity: u32 }),
  'text-message': (v) =>
    v === 2019 ? fc.record({ flag: u8, textType: u8, text: text(80) }) : fc.record({ flag: u8, text: text(80) }),
  'vehicle-control': (v) =>
    v === 2019
      ? fc
          .tuple(
            fc.array(fc.record({ typeId: fc.constant(1), param: u8 }), { maxLength: 5 }),
            fc.option(
              bytes(8).filter((b) => b.length > 0 && (b.length < 2 || b.readUInt16BE(0) !== 1)),
              { nil: undefined },
            ),
            fc.integer({ min: 0, max: 3 }),
          )
          .map(([controls, unparsed, extra]) => {
            if (unparsed) return { controls, unparsed, declaredCount: controls.length + 1 + extra };
            return extra === 0 ? { controls } : { controls, declaredCount: controls.length + extra };
          })
      : fc.record({ controlFlag: u8 }),
  'camera-shot-now': () =>
    fc.record({
      channel: u8,
      command: u16,
      interval: u16,
      saveFlag: u8,
      resolution: u8,
      quality: u8,
      brightness: u8,
      contrast: u8,
      saturation: u8,
      chroma: u8,
    }),
  'stored-media-search': () => fc.record({ mediaType: u8, channel: u8, event: u8, startTime: time, endTime: time }),
  'stored-media-upload': () =>
    fc.record({ mediaType: u8, channel: u8, event: u8, startTime: time, endTime: time, deleteFlag: u8 }),
  'start-recording': () => fc.record({ command: u8, duration: u16, saveFlag: u8, sampleRate: u8 }),
  'single-stored-media': () => fc.record({ mediaId: u32, deleteFlag: u8 }),
  'multimedia-upload-response': () =>
    fc.oneof(
      fc.record({ mediaId: u32, packageIds: fc.array(u16, { maxLength: 255 }) }),
      fc.record({ mediaId: u32, packageIds: fc.constant([]), countOmitted: fc.constant(true as const) }),
    ),
  'downlink-pass-through': () => fc.record({ passThroughType: u8, data: bytes(60) }),
};

describe('decode(encode(m)) = m', () => {
  it('has an arbitrary for every message of the group except 0x8001', () => {
    const types = jt808.platformMessages.map((m) => m.type as string).filter((t) => t !== 'platform-general-response');
    expect(Object.keys(bodies).sort()).toEqual(types.sort());
  });

  for (const [type, arb] of Object.entries(bodies)) {
    for (const version of [2013, 2019] as const) {
      it(`${type} (${version})`, () => {
        const codec = jt808.codecForType(type)!;
        fc.assert(
          fc.property(arb(version), fc.constantFrom(480, 0, -300), (body, timeOffsetMinutes) => {
            const ctx = { version, timeOffsetMinutes };
            const message = { type, body } as Pick<Known, 'type' | 'body'>;
            const wire = jt808.encodeJt808Body(message, ctx);
            const res = jt808.decodeJt808Body(codec.msgId, wire, ctx);
            expect(res.issue).toBeUndefined();
            expect(toJson(res.message)).toEqual(toJson({ type, msgId: codec.msgId, body }));
          }),
          RUNS,
        );
      });
    }
  }
});

describe('random bodies never throw', () => {
  it('decodes any bytes to a message or an unknown with a reason', () => {
    const ids = jt808.platformMessages.map((m) => m.msgId);
    fc.assert(
      fc.property(fc.constantFrom(...ids), bytes(64), fc.constantFrom(2013, 2019), (id, body, version) => {
        const res = jt808.decodeJt808Body(id, body, { version: version as Version });
        expect(res.message.msgId).toBe(id);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
