import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.ts';
import { encodeGbk, jt808 } from '../../src/index.ts';

/**
 * Terminal → platform messages (0x0003 … 0x0A00): edge cases the golden fixtures do not show,
 * truncation through the packet decoder, encoder strictness, and decode(encode(m)) = m properties.
 */

type Ctx = Partial<jt808.Jt808Context>;
type Known = jt808.Jt808KnownMessage;
type TypeName = jt808.Jt808MessageType;

const C2013: Ctx = { version: 2013 };
const C2019: Ctx = { version: 2019 };
const SEED = 20240506;
const RUNS = 150;

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function gbk(s: string): Buffer {
  return encodeGbk(s);
}

function fixed(s: string, n: number): Buffer {
  const b = gbk(s);
  return Buffer.concat([b, Buffer.alloc(n - b.length)]);
}

function decode(type: TypeName, body: Buffer, ctx: Ctx = C2013): { message: jt808.Jt808Message; issue?: unknown } {
  return jt808.decodeJt808Body(jt808.msgIdOf(type), body, ctx);
}

function bodyOf<T extends TypeName>(type: T, body: Buffer, ctx: Ctx = C2013): jt808.Jt808BodyOf<T> {
  const r = decode(type, body, ctx);
  expect(r.issue).toBeUndefined();
  expect(r.message.type).toBe(type);
  return (r.message as Extract<Known, { type: T }>).body as jt808.Jt808BodyOf<T>;
}

function encode<T extends TypeName>(type: T, body: jt808.Jt808BodyOf<T>, ctx: Ctx = C2013): Buffer {
  return jt808.encodeJt808Body({ type, body } as Pick<Known, 'type' | 'body'>, ctx);
}

function expectEncodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('IOTHUB_ERR_ENCODE_VALUE');
    return;
  }
  throw new Error('expected an IOTHUB_ERR_ENCODE_VALUE error');
}

/** A whole unescaped frame (as the framer yields it) around `body`. */
function frame(msgId: number, body: Buffer, version: 2013 | 2019 = 2013): Buffer {
  const wire = jt808.encodeJt808Raw({ msgId, version, phone: '013912345678', serial: 9 }, body);
  return jt808.unescapeJt808(wire.subarray(1, wire.length - 1));
}

function roundTrip<T extends TypeName>(type: T, body: jt808.Jt808BodyOf<T>, ctx: Ctx): void {
  const bytes = encode(type, body, ctx);
  const r = decode(type, bytes, ctx);
  expect(r.issue).toBeUndefined();
  expect(r.message).toEqual({ type, msgId: jt808.msgIdOf(type), body });
  // and the bytes are canonical: encoding the decoded value gives them back
  expect(encode(type, (r.message as Extract<Known, { type: T }>).body as jt808.Jt808BodyOf<T>, ctx)).toEqual(bytes);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** GB2312 characters (both GBK bytes ≥ 0xA1) used on plates, in names and issuers. */
const CJK = [...'粤京沪津渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵青藏川宁琼测试学警港澳张三李四王交通运输局'];
/** Plate / VIN characters: none below ASCII '0' and none in 0x5B–0x5E (see 0x0100 edition detection). */
const PLATE_ASCII = [...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'];
const ASCII = [...PLATE_ASCII, ...'abcxyz-_. '];
const DIGITS = [...'0123456789'];

/** Text of at most `maxBytes` GBK bytes drawn from `chars`. */
function text(maxBytes: number, chars: string[] = [...ASCII, ...CJK], minLength = 0): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...chars), { minLength, maxLength: maxBytes }).map((a) => {
    let s = '';
    let n = 0;
    for (const c of a) {
      const w = c.charCodeAt(0) < 0x80 ? 1 : 2;
      if (n + w > maxBytes) break;
      s += c;
      n += w;
    }
    return s;
  });
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const exactBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const digits = (n: number, chars = DIGITS) =>
  fc.array(fc.constantFrom(...chars), { minLength: n, maxLength: n }).map((a) => a.join(''));

const MIN_T = Date.UTC(2000, 0, 1) - 8 * 3_600_000;
const MAX_T = Date.UTC(2100, 0, 1) - 8 * 3_600_000 - 1000;
/** Whole-second instants representable as BCD YYMMDDhhmmss in GMT+8, or null. */
const time = fc.oneof(
  fc.integer({ min: MIN_T / 1000, max: Math.floor(MAX_T / 1000) }).map((s) => new Date(s * 1000)),
  fc.constant(null),
);

/** A canonical basic location block (what the decoder yields). */
const location = fc
  .record({
    alarm: u32,
    status: u32,
    latU: fc.integer({ min: 0, max: 90_000_000 }),
    lonU: fc.integer({ min: 0, max: 180_000_000 }),
    altitude: u16,
    speedU: u16,
    course: fc.integer({ min: 0, max: 359 }),
    time,
  })
  .map(
    (l): jt808.BasicLocation => ({
      alarm: l.alarm,
      status: l.status,
      latitude: l.latU === 0 ? 0 : (l.status & 4) !== 0 ? -l.latU / 1e6 : l.latU / 1e6,
      longitude: l.lonU === 0 ? 0 : (l.status & 8) !== 0 ? -l.lonU / 1e6 : l.lonU / 1e6,
      altitude: l.altitude,
      speed: l.speedU / 10,
      course: l.course,
      time: l.time,
    }),
  );

/** Plate colours the 0x0100 edition detection accepts as colours. */
const plateColor = fc.oneof(fc.integer({ min: 0, max: 0x2f }), fc.integer({ min: 91, max: 94 }));

function withNuls(s: string, nuls: number): Buffer {
  return Buffer.concat([gbk(s), Buffer.alloc(nuls)]);
}

/** Variable-length text as the decoder yields it: NULs after it on the wire give a raw copy. */
const varText = (maxBytes: number, chars?: string[], minLength = 0) =>
  fc
    .record({ text: text(maxBytes, chars, minLength), nuls: fc.integer({ min: 0, max: 2 }) })
    .map(({ text: t, nuls }): { text: string; raw?: Buffer } =>
      nuls > 0 ? { text: t, raw: withNuls(t, nuls) } : { text: t },
    );

/**
 * Fixed `BYTE[n]` text as the decoder yields it: right NUL padding (no raw), or left NUL padding
 * as SmallChi writes it (`PadLeft(n, '\0')`), which comes with a raw copy of the `n` bytes.
 */
const fixedText = (n: number, chars?: string[]) =>
  fc.record({ text: text(n, chars), left: fc.integer({ min: 0, max: 3 }) }).map(({ text: t, left }) => {
    const b = gbk(t);
    if (left === 0 || b.length === 0) return { text: t };
    const pad = Math.min(left, n - b.length);
    if (pad === 0) return { text: t };
    return { text: t, raw: Buffer.concat([Buffer.alloc(pad), b, Buffer.alloc(n - pad - b.length)]) };
  });

const REGISTER_WIDTHS = { 2011: [5, 8, 7], 2013: [5, 20, 7], 2019: [11, 30, 30] } as const;

const register = fc.constantFrom(2011 as const, 2013 as const, 2019 as const).chain((edition) => {
  const [m, mo, id] = REGISTER_WIDTHS[edition];
  return fc
    .record({
      provinceId: u16,
      cityId: u16,
      makerId: text(m),
      model: text(mo),
      terminalId: text(id),
      plateColor,
      plate: text(20, [...PLATE_ASCII, ...CJK]),
      // 2011 bodies with NULs after the plate would look like 2013 ones: raw only for 2013/2019.
      nuls: edition === 2011 ? fc.constant(0) : fc.integer({ min: 0, max: 2 }),
    })
    .map(({ nuls, ...r }): jt808.TerminalRegister => {
      const body: jt808.TerminalRegister = { edition, ...r };
      if (nuls > 0) body.plateRaw = withNuls(r.plate, nuls);
      return body;
    });
});

// ---------------------------------------------------------------------------------------------

describe('helpers of this test', () => {
  it('uses CJK characters whose GBK bytes are all ≥ 0xA1', () => {
    for (const c of CJK) {
      const b = gbk(c);
      expect(b.length, c).toBe(2);
      expect(b[0]! >= 0xa1 && b[1]! >= 0xa1, c).toBe(true);
    }
  });
});

describe('0x0003 logout / 0x0004 query server time', () => {
  it('decode empty bodies and report appended bytes as trailing', () => {
    expect(bodyOf('terminal-logout', Buffer.alloc(0))).toEqual({});
    expect(bodyOf('query-server-time', Buffer.alloc(0), C2019)).toEqual({});
    const r = jt808.decodeJt808Frame(frame(0x0003, hex('0102')));
    if (!r.ok) throw new Error('decode failed');
    expect(r.message).toEqual({ type: 'terminal-logout', msgId: 3, body: {} });
    expect(r.issues).toEqual([{ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 2 }]);
    expect(encode('terminal-logout', {})).toEqual(Buffer.alloc(0));
    expect(encode('query-server-time', {}, C2019)).toEqual(Buffer.alloc(0));
  });
});

describe('0x0100 terminal register', () => {
  const head = (prov: number, city: number) => Buffer.from([prov >> 8, prov & 0xff, city >> 8, city & 0xff]);

  it('tells 2011 from 2013 by length: 25-byte 2011 and 37-byte 2013 bodies with empty plates', () => {
    const b2011 = Buffer.concat([head(1, 2), fixed('M', 5), fixed('X', 8), fixed('I', 7), Buffer.from([0])]);
    expect(b2011.length).toBe(25);
    expect(bodyOf('terminal-register', b2011)).toMatchObject({ edition: 2011, plate: '', plateColor: 0 });
    const b2013 = Buffer.concat([head(1, 2), fixed('M', 5), fixed('X', 20), fixed('I', 7), Buffer.from([9])]);
    expect(b2013.length).toBe(37);
    expect(bodyOf('terminal-register', b2013)).toMatchObject({ edition: 2013, model: 'X', plateColor: 9 });
  });

  it('reads 2013 when the model is long (byte 24 printable), whatever sits at offset 36', () => {
    const b = Buffer.concat([
      head(44, 300),
      fixed('MK', 5),
      fixed('ABCDEFGHIJKLMNOPQRST', 20),
      fixed('1234567', 7),
      Buffer.from([1]),
      gbk('粤B12345'),
    ]);
    expect(bodyOf('terminal-register', b)).toMatchObject({
      edition: 2013,
      model: 'ABCDEFGHIJKLMNOPQRST',
      plateColor: 1,
      plate: '粤B12345',
    });
  });

  it('accepts colour codes 91–94 in 2013 bodies', () => {
    const b = Buffer.concat([head(1, 1), fixed('M', 5), fixed('X', 20), fixed('I', 7), Buffer.from([94]), gbk('测试')]);
    expect(bodyOf('terminal-register', b)).toMatchObject({ edition: 2013, plateColor: 94, plate: '测试' });
  });

  it("keeps ASCII '0' padding and trims NUL padding in 2019 bodies", () => {
    const b = Buffer.concat([
      head(0, 0),
      Buffer.from('000Koike002'),
      Buffer.from(`${'0'.repeat(22)}Koike002`),
      fixed('Koike002', 30),
      Buffer.from([2]),
      gbk('粤A12346'),
    ]);
    const body = bodyOf('terminal-register', b, C2019);
    expect(body).toEqual({
      edition: 2019,
      provinceId: 0,
      cityId: 0,
      makerId: '000Koike002',
      model: `${'0'.repeat(22)}Koike002`,
      terminalId: 'Koike002',
      plateColor: 2,
      plate: '粤A12346',
    });
    expect(encode('terminal-register', body, C2019)).toEqual(b);
  });

  it('keeps plate bytes that are not valid GBK raw, and writes them back unchanged', () => {
    // 0xff is not a GBK lead byte, and a lone lead byte at the end has no trail byte.
    const plateBytes = Buffer.concat([hex('ff'), Buffer.from('B12345'), hex('d4')]);
    const b = Buffer.concat([head(1, 1), fixed('M', 5), fixed('X', 20), fixed('I', 7), Buffer.from([1]), plateBytes]);
    const body = bodyOf('terminal-register', b);
    expect(body.plateRaw).toEqual(plateBytes);
    expect(encode('terminal-register', body)).toEqual(b);
    // a valid GBK plate needs no raw copy
    const ok = Buffer.concat([
      head(1, 1),
      fixed('M', 5),
      fixed('X', 20),
      fixed('I', 7),
      Buffer.from([1]),
      gbk('粤B12345'),
    ]);
    expect(bodyOf('terminal-register', ok)).not.toHaveProperty('plateRaw');
  });

  it('encodes by edition and refuses values that do not fit', () => {
    const base: jt808.TerminalRegister = {
      edition: 2013,
      provinceId: 44,
      cityId: 300,
      makerId: 'ABCDE',
      model: 'M',
      terminalId: 'T',
      plateColor: 1,
      plate: '粤B12345',
    };
    expect(encode('terminal-register', base).length).toBe(37 + 8);
    expect(encode('terminal-register', { ...base, edition: 2011 }).length).toBe(25 + 8);
    expect(encode('terminal-register', { ...base, edition: 2019 }).length).toBe(76 + 8);
    expectEncodeError(() => encode('terminal-register', { ...base, makerId: 'ABCDEF' }));
    expectEncodeError(() => encode('terminal-register', { ...base, edition: 2011, model: '123456789' }));
    expectEncodeError(() => encode('terminal-register', { ...base, terminalId: '粤粤粤粤' }));
    expectEncodeError(() => encode('terminal-register', { ...base, edition: 2012 as 2013 }));
    expectEncodeError(() => encode('terminal-register', { ...base, plateColor: 256 }));
  });

  it('round-trips (property)', () => {
    fc.assert(
      fc.property(register, (body) => roundTrip('terminal-register', body, body.edition === 2019 ? C2019 : C2013)),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('0x0102 terminal authentication', () => {
  it('2013: the whole body is the code; trailing NULs trimmed and kept raw', () => {
    expect(bodyOf('terminal-authentication', Buffer.from('45612'))).toEqual({ edition: 2013, authCode: '45612' });
    const b = Buffer.from('45612\0\0');
    const body = bodyOf('terminal-authentication', b);
    expect(body).toEqual({ edition: 2013, authCode: '45612', authCodeRaw: b });
    expect(encode('terminal-authentication', body)).toEqual(b);
  });

  it("2019: length + code + IMEI + version; '0'-padded version kept as sent", () => {
    // SmallChi pads the version with '0' (JT808_0x0102Test.Test2019_3)
    const b = Buffer.concat([
      Buffer.from([5]),
      Buffer.from('45612'),
      Buffer.from('1234567890abcde'),
      Buffer.from('v2.0.0'.padEnd(20, '0')),
    ]);
    expect(bodyOf('terminal-authentication', b, C2019)).toEqual({
      edition: 2019,
      authCode: '45612',
      imei: '1234567890abcde',
      softwareVersion: 'v2.0.000000000000000',
    });
  });

  it('2019 header with a body too short for the 2019 layout falls back to the bare code', () => {
    const b = Buffer.concat([Buffer.from([40]), Buffer.alloc(40, 0x41)]);
    expect(bodyOf('terminal-authentication', b, C2019)).toMatchObject({ edition: 2013 });
  });

  it('refuses a 2019 code longer than 255 bytes and an IMEI longer than 15', () => {
    const body: jt808.TerminalAuthentication = {
      edition: 2019,
      authCode: 'x',
      imei: '123456789012345',
      softwareVersion: '1',
    };
    expect(encode('terminal-authentication', body, C2019).length).toBe(1 + 1 + 15 + 20);
    expectEncodeError(() => encode('terminal-authentication', { ...body, authCode: 'x'.repeat(256) }, C2019));
    expectEncodeError(() => encode('terminal-authentication', { ...body, imei: '1234567890123456' }, C2019));
    expectEncodeError(() => encode('terminal-authentication', { ...body, softwareVersion: 'v'.repeat(21) }, C2019));
  });

  it('round-trips (property)', () => {
    const a2013 = fc
      .record({ authCode: text(40), nuls: fc.integer({ min: 0, max: 2 }) })
      .map(
        ({ authCode, nuls }): jt808.TerminalAuthentication =>
          nuls > 0 ? { edition: 2013, authCode, authCodeRaw: withNuls(authCode, nuls) } : { edition: 2013, authCode },
      );
    const a2019 = fc
      .record({ code: varText(60), imei: fc.oneof(digits(15), text(15, ASCII)), softwareVersion: text(20, ASCII) })
      .map(({ code, ...r }): jt808.TerminalAuthentication => {
        const body: jt808.TerminalAuthentication2019 = { edition: 2019, authCode: code.text, ...r };
        if (code.raw) body.authCodeRaw = code.raw;
        return body;
      });
    fc.assert(
      fc.property(fc.oneof(a2013, a2019), (body) =>
        roundTrip('terminal-authentication', body, body.edition === 2019 ? C2019 : C2013),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('0x0107 terminal attributes', () => {
  const tail = Buffer.concat([
    hex('89860321234567890123'),
    Buffer.from([3]),
    Buffer.from('HW1'),
    Buffer.from([2]),
    Buffer.from('F2'),
    Buffer.from([1, 2]),
  ]);

  it('finds a 2013 layout behind a 2019 header, and a 2019 one behind a 2013 header', () => {
    const b2013 = Buffer.concat([hex('0001'), fixed('MK', 5), fixed('MODEL', 20), fixed('ID', 7), tail]);
    expect(bodyOf('terminal-attributes', b2013, C2019)).toMatchObject({ edition: 2013, makerId: 'MK', model: 'MODEL' });
    const b2019 = Buffer.concat([hex('0001'), fixed('MAKER', 11), fixed('MODEL', 30), fixed('ID', 30), tail]);
    expect(bodyOf('terminal-attributes', b2019, C2013)).toMatchObject({
      edition: 2019,
      makerId: 'MAKER',
      terminalId: 'ID',
    });
  });

  it('trims NUL padding from the versions, keeping the bytes', () => {
    const t = Buffer.concat([hex('89860321234567890123'), hex('04 48573100 02 4632 0102')]);
    const b = Buffer.concat([hex('0001'), fixed('MK', 5), fixed('MODEL', 20), fixed('ID', 7), t]);
    const body = bodyOf('terminal-attributes', b);
    expect(body).toMatchObject({ hardwareVersion: 'HW1', hardwareVersionRaw: hex('48573100'), firmwareVersion: 'F2' });
    expect(body).not.toHaveProperty('firmwareVersionRaw');
    expect(encode('terminal-attributes', body)).toEqual(b);
  });

  it('reads the header layout when none fits, and reports what is left over', () => {
    const b = Buffer.concat([hex('0001'), fixed('MK', 5), fixed('MODEL', 20), fixed('ID', 7), tail, hex('ffff')]);
    const r = decode('terminal-attributes', b);
    expect(r.message).toMatchObject({ type: 'terminal-attributes', body: { edition: 2013 } });
    expect(r.issue).toEqual({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 2 });
  });

  it('refuses bad ICCIDs, overlong fields and a 2013 short-maker flag', () => {
    const body: jt808.TerminalAttributes = {
      edition: 2013,
      terminalType: 1,
      makerId: 'M',
      model: 'X',
      terminalId: 'I',
      iccid: '89860321234567890123',
      hardwareVersion: 'h',
      firmwareVersion: 'f',
      gnssAttributes: 1,
      commsAttributes: 1,
    };
    expect(encode('terminal-attributes', body).length).toBe(2 + 5 + 20 + 7 + 10 + 2 + 2 + 2);
    expectEncodeError(() => encode('terminal-attributes', { ...body, iccid: '8986' }));
    expectEncodeError(() => encode('terminal-attributes', { ...body, iccid: '8986032123456789012x' }));
    expectEncodeError(() => encode('terminal-attributes', { ...body, terminalId: '12345678' }));
    expectEncodeError(() => encode('terminal-attributes', { ...body, hardwareVersion: 'h'.repeat(256) }));
    expectEncodeError(() => encode('terminal-attributes', { ...body, shortMakerId: true }));
  });

  it('round-trips (property)', () => {
    const iccid = digits(20, [...DIGITS, ...'abcdef']);
    // versions of at most 14 + 2 bytes: see the 2019 short-maker note in 0107-terminal-attributes.ts
    const common = {
      terminalType: u16,
      iccid,
      hw: varText(14, ASCII),
      fw: varText(14, ASCII),
      gnssAttributes: u8,
      commsAttributes: u8,
    };
    type VarText = { text: string; raw?: Buffer };
    type Generated = Omit<
      jt808.TerminalAttributes,
      'edition' | 'shortMakerId' | 'hardwareVersion' | 'hardwareVersionRaw' | 'firmwareVersion' | 'firmwareVersionRaw'
    > & { hw: VarText; fw: VarText };
    const finish = (
      { hw, fw, ...r }: Generated,
      head: Pick<jt808.TerminalAttributes, 'edition' | 'shortMakerId'>,
    ): jt808.TerminalAttributes => {
      const body: jt808.TerminalAttributes = { ...head, ...r, hardwareVersion: hw.text, firmwareVersion: fw.text };
      if (hw.raw) body.hardwareVersionRaw = hw.raw;
      if (fw.raw) body.firmwareVersionRaw = fw.raw;
      return body;
    };
    const a2013 = fc
      .record({ ...common, makerId: text(5), model: text(20), terminalId: text(7) })
      .map((r) => finish(r, { edition: 2013 }));
    const a2019 = fc
      .record({ ...common, makerId: text(11), model: text(30), terminalId: text(30) })
      .map((r) => finish(r, { edition: 2019 }));
    // A short-maker body is ambiguous with the 11-byte layout when the byte at offset 83 happens to
    // make the wide layout fit; a hardware version of 6+ printable characters puts a text byte
    // (≥ 0x20) there, which cannot fit in these short bodies.
    const a2019short = fc
      .record({ ...common, hw: varText(14, ASCII, 6), makerId: text(5), model: text(30), terminalId: text(30) })
      .map((r) => finish(r, { edition: 2019, shortMakerId: true }));
    fc.assert(
      fc.property(fc.oneof(a2013, a2019, a2019short), (body) =>
        roundTrip('terminal-attributes', body, body.edition === 2019 ? C2019 : C2013),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('0x0702 driver identity', () => {
  it('stops after the time for a removed card, and after the read result when reading failed', () => {
    expect(bodyOf('driver-identity', hex('02 180816091616'))).toEqual({
      status: 2,
      time: new Date('2018-08-16T01:16:16Z'),
    });
    expect(bodyOf('driver-identity', hex('01 180816091616 01'))).toEqual({
      status: 1,
      time: new Date('2018-08-16T01:16:16Z'),
      readResult: 1,
    });
  });

  it('reads fields a terminal fills after a removal when they parse, else leaves them as trailing', () => {
    const filled = Buffer.concat([
      hex('02 240506070809 00 02'),
      Buffer.from('ab'),
      fixed('C1', 20),
      hex('00 20301231'),
    ]);
    expect(bodyOf('driver-identity', filled)).toEqual({
      status: 2,
      time: new Date('2024-05-05T23:08:09Z'),
      readResult: 0,
      card: { driverName: 'ab', certificateCode: 'C1', issuer: '', certificateExpiry: '20301231' },
    });
    const junk = hex('02 240506070809 00 30 4142');
    const r = jt808.decodeJt808Frame(frame(0x0702, junk));
    if (!r.ok) throw new Error('decode failed');
    expect(r.message).toMatchObject({ type: 'driver-identity', body: { status: 2 } });
    expect(r.message.type === 'driver-identity' && 'readResult' in r.message.body).toBe(false);
    expect(r.issues).toEqual([{ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: 4 }]);
  });

  it('trims NUL padding from the length-prefixed name and issuer, keeping the bytes', () => {
    const name = Buffer.concat([gbk('你好'), Buffer.alloc(16)]);
    const b = Buffer.concat([
      hex('01 240506070809 00'),
      Buffer.from([20]),
      name,
      fixed('C', 20),
      hex('03 414200 20301231'),
    ]);
    const body = bodyOf('driver-identity', b);
    expect(body.card).toEqual({
      driverName: '你好',
      driverNameRaw: name,
      certificateCode: 'C',
      issuer: 'AB',
      issuerRaw: hex('414200'),
      certificateExpiry: '20301231',
    });
    expect(encode('driver-identity', body)).toEqual(b);
  });

  it('uses the context time zone', () => {
    const b = bodyOf('driver-identity', hex('02 240506070809'), { version: 2013, timeOffsetMinutes: 0 });
    expect(b).toEqual({ status: 2, time: new Date('2024-05-06T07:08:09Z') });
  });

  it('reads the 2013 layout with GBK name, empty issuer and NUL-padded certificate code', () => {
    const b = Buffer.concat([
      hex('01 251009150751 00'),
      Buffer.from([4]),
      gbk('测试'),
      fixed('0029b885', 20),
      Buffer.from([0]),
      hex('20301231'),
    ]);
    expect(bodyOf('driver-identity', b)).toEqual({
      status: 1,
      time: new Date('2025-10-09T07:07:51Z'),
      readResult: 0,
      card: { driverName: '测试', certificateCode: '0029b885', issuer: '', certificateExpiry: '20301231' },
    });
  });

  it('trims left NUL padding of the fixed fields, keeping the bytes (SmallChi Test_2019_1)', () => {
    const b = hex(
      '0119120111111100056b6f696b65000000000000000071776531323334353661616106717765727478' +
        '201912010000003132333435363738393031323334353637',
    );
    const body = bodyOf('driver-identity', b, C2019);
    expect(body.card).toEqual({
      driverName: 'koike',
      certificateCode: 'qwe123456aaa',
      certificateCodeRaw: b.subarray(14, 34),
      issuer: 'qwertx',
      certificateExpiry: '20191201',
      idNumber: '12345678901234567',
      idNumberRaw: b.subarray(45, 65),
    });
    expect(encode('driver-identity', body, C2019)).toEqual(b);
    // Right padding (the spec) and an all-NUL field need no raw copy.
    const right = Buffer.concat([
      hex('01 240506070809 00 01 41'),
      fixed('C1', 20),
      hex('00 20301231'),
      Buffer.alloc(20),
    ]);
    expect(bodyOf('driver-identity', right, C2019).card).toEqual({
      driverName: 'A',
      certificateCode: 'C1',
      issuer: '',
      certificateExpiry: '20301231',
      idNumber: '',
    });
  });

  it('reads the 2011 layout when the body fits it exactly and not the 2013 one (SmallChi Test2011_*)', () => {
    const tail = `${'00'.repeat(28)}717765313233343536616161 06 717765727478`;
    const test2011 = hex(`03 746b31 0000313233343536373839313233343536373839 ${tail}`);
    const body = bodyOf('driver-identity', test2011);
    expect(body).toEqual({
      edition: 2011,
      card: {
        driverName: 'tk1',
        idNumber: '123456789123456789',
        idNumberRaw: test2011.subarray(4, 24),
        certificateCode: 'qwe123456aaa',
        certificateCodeRaw: test2011.subarray(24, 64),
        issuer: 'qwertx',
      },
    });
    expect(encode('driver-identity', body)).toEqual(test2011);
    // A 2-byte name makes the first byte 0x02, the 2013 "card removed" status: still 2011.
    const tk = hex(`02 746b 0000313233343536373839313233343536373839 ${tail}`);
    expect(bodyOf('driver-identity', tk)).toMatchObject({ edition: 2011, card: { driverName: 'tk' } });
    // Under a 2019 header the 2011 layout does not exist: 2013 reading, the rest trailing.
    const r = decode('driver-identity', test2011, C2019);
    expect(r.issue).toEqual({ code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: test2011.length - 8 });
    expect(r.message).toMatchObject({ type: 'driver-identity', body: { status: 3, readResult: 0x32 } });
    // One byte short of the 2011 structure: the 2013 reading with trailing bytes.
    expect(decode('driver-identity', test2011.subarray(0, -1)).message).toMatchObject({ body: { status: 3 } });
  });

  it('refuses inconsistent 2011 bodies', () => {
    const card: jt808.DriverCard2011 = { driverName: 'a', idNumber: '1', certificateCode: 'b', issuer: 'c' };
    expect(encode('driver-identity', { edition: 2011, card }).length).toBe(62 + 1 + 1);
    expectEncodeError(() => encode('driver-identity', { edition: 2011, card }, C2019));
    expectEncodeError(() =>
      encode('driver-identity', { edition: 2011, card: { ...card, certificateCode: 'x'.repeat(41) } }),
    );
    expectEncodeError(() => encode('driver-identity', { edition: 2011, card: { ...card, idNumber: 'x'.repeat(21) } }));
    expectEncodeError(() =>
      encode('driver-identity', { edition: 2011, card: { ...card, certificateCodeRaw: Buffer.alloc(20) } }),
    );
  });

  it('refuses inconsistent bodies', () => {
    const t = new Date('2024-01-01T00:00:00Z');
    const card: jt808.DriverCard = {
      driverName: 'a',
      certificateCode: 'b',
      issuer: 'c',
      certificateExpiry: '20301231',
    };
    expectEncodeError(() => encode('driver-identity', { status: 2, time: t, readResult: 0 }));
    expectEncodeError(() => encode('driver-identity', { status: 1, time: t }));
    expectEncodeError(() => encode('driver-identity', { status: 1, time: t, readResult: 0 }));
    expectEncodeError(() => encode('driver-identity', { status: 1, time: t, readResult: 1, card }));
    expectEncodeError(() =>
      encode('driver-identity', { status: 1, time: t, readResult: 0, card: { ...card, faceMatch: 1 } }),
    );
    expectEncodeError(() =>
      encode('driver-identity', { status: 1, time: t, readResult: 0, card: { ...card, idNumber: '1', faceMatch: 1 } }),
    );
    expectEncodeError(() =>
      encode('driver-identity', { status: 1, time: t, readResult: 0, card: { ...card, certificateExpiry: '2030123' } }),
    );
    expectEncodeError(() =>
      encode('driver-identity', { status: 1, time: t, readResult: 0, card: { ...card, driverName: '张'.repeat(128) } }),
    );
  });

  it('round-trips (property)', () => {
    const card = fc
      .record({
        name: varText(30),
        code: fixedText(20),
        iss: varText(40),
        certificateExpiry: digits(8),
        tail: fc.oneof(
          fc.constant(null),
          fc.record({ id: fixedText(20, ASCII) }),
          fc.record({ id: fixedText(20, ASCII), faceMatch: u8, uid: fixedText(20, ASCII) }),
        ),
      })
      .map(({ tail, name, code, iss, certificateExpiry }): jt808.DriverCard => {
        const out: jt808.DriverCard = {
          driverName: name.text,
          certificateCode: code.text,
          issuer: iss.text,
          certificateExpiry,
        };
        if (name.raw) out.driverNameRaw = name.raw;
        if (code.raw) out.certificateCodeRaw = code.raw;
        if (iss.raw) out.issuerRaw = iss.raw;
        if (tail) {
          out.idNumber = tail.id.text;
          if (tail.id.raw) out.idNumberRaw = tail.id.raw;
          if ('uid' in tail) {
            out.faceMatch = tail.faceMatch;
            out.idCardUid = tail.uid.text;
            if (tail.uid.raw) out.idCardUidRaw = tail.uid.raw;
          }
        }
        return out;
      });
    // Names of 3+ bytes: a first byte of 1 or 2 is also a 2013 status, and a few zero-filled
    // bodies then fit both layouts exactly (read as 2013, see the file header).
    const card2011 = fc
      .record({ name: varText(30, undefined, 3), id: fixedText(20, ASCII), code: fixedText(40), iss: varText(40) })
      .map(({ name, id, code, iss }): jt808.DriverIdentity2011 => {
        const c: jt808.DriverCard2011 = {
          driverName: name.text,
          idNumber: id.text,
          certificateCode: code.text,
          issuer: iss.text,
        };
        if (name.raw) c.driverNameRaw = name.raw;
        if (id.raw) c.idNumberRaw = id.raw;
        if (code.raw) c.certificateCodeRaw = code.raw;
        if (iss.raw) c.issuerRaw = iss.raw;
        return { edition: 2011, card: c };
      });
    const anyStatus = fc.oneof(fc.constant(1), u8);
    const body = fc.oneof(
      fc.record({ status: u8.filter((s) => s !== 1), time }),
      fc.record({ status: anyStatus, time, readResult: fc.integer({ min: 1, max: 255 }) }),
      // With a card, a status other than 1 / 2 can fit the 2011 layout exactly (read as 2011).
      fc.record({ status: fc.constantFrom(1, 2), time, readResult: fc.constant(0), card }),
    );
    fc.assert(
      fc.property(body, fc.constantFrom(C2013, C2019), (b: jt808.DriverIdentity, ctx) =>
        roundTrip('driver-identity', b, ctx),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    fc.assert(
      fc.property(card2011, (b) => roundTrip('driver-identity', b, C2013)),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('0x0705 CAN bus data', () => {
  it('decodes the receive time as ms after midnight, null when it is not a time', () => {
    expect(bodyOf('can-bus-data', hex('0000 2323230123')).receiveTimeOfDay).toBe(
      ((23 * 60 + 23) * 60 + 23) * 1000 + 123,
    );
    expect(bodyOf('can-bus-data', hex('0000 2460000000')).receiveTimeOfDay).toBeNull();
    expect(bodyOf('can-bus-data', hex('0000 0000001000')).receiveTimeOfDay).toBeNull(); // 1000 ms
    expect(encode('can-bus-data', { receiveTimeOfDay: null, items: [] })).toEqual(hex('0000 0000000000'));
  });

  it('refuses out-of-range ids, bits, data lengths and times', () => {
    const item: jt808.CanBusItem = { channel: 0, frameType: 0, collectionMethod: 0, busId: 1, data: Buffer.alloc(8) };
    const ok = { receiveTimeOfDay: 0, items: [item] };
    expect(encode('can-bus-data', ok).length).toBe(2 + 5 + 12);
    expectEncodeError(() => encode('can-bus-data', { ...ok, items: [{ ...item, busId: 0x20000000 }] }));
    expectEncodeError(() => encode('can-bus-data', { ...ok, items: [{ ...item, channel: 2 }] }));
    expectEncodeError(() => encode('can-bus-data', { ...ok, items: [{ ...item, data: Buffer.alloc(7) }] }));
    expectEncodeError(() => encode('can-bus-data', { ...ok, receiveTimeOfDay: 86_400_000 }));
    expectEncodeError(() => encode('can-bus-data', { ...ok, receiveTimeOfDay: 1.5 }));
  });

  it('round-trips (property)', () => {
    const item = fc.record({
      channel: fc.integer({ min: 0, max: 1 }),
      frameType: fc.integer({ min: 0, max: 1 }),
      collectionMethod: fc.integer({ min: 0, max: 1 }),
      busId: fc.integer({ min: 0, max: 0x1fffffff }),
      data: exactBytes(8),
    });
    const body = fc.record({
      receiveTimeOfDay: fc.integer({ min: 0, max: 86_399_999 }),
      items: fc.array(item, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(body, fc.constantFrom(C2013, C2019), (b, ctx) => roundTrip('can-bus-data', b, ctx)),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('0x0801 multimedia data / 0x0802 stored multimedia search response', () => {
  it('0x0801: a 2019 body is always read with the location block, even if JPEG-like bytes follow the channel', () => {
    const b = Buffer.concat([hex('00000001 00 00 00 01'), hex('ffd8ff00'), Buffer.alloc(24), hex('ffd8')]);
    expect(bodyOf('multimedia-data', b, C2019).location?.alarm).toBe(0xffd8ff00);
    expect(bodyOf('multimedia-data', b, C2013)).not.toHaveProperty('location');
  });

  it('0x0801: a body too short for the location block is read without it', () => {
    expect(bodyOf('multimedia-data', hex('00000a07 00 00 01 7b 01020304'))).toEqual({
      mediaId: 0x0a07,
      mediaType: 0,
      mediaFormat: 0,
      event: 1,
      channel: 0x7b,
      data: hex('01020304'),
    });
  });

  it('0x0802: refuses a mix of items with and without media id', () => {
    const loc: jt808.BasicLocation = {
      alarm: 0,
      status: 0,
      latitude: 1,
      longitude: 2,
      altitude: 0,
      speed: 0,
      course: 0,
      time: null,
    };
    const items = [
      { mediaId: 1, mediaType: 0, channel: 1, event: 0, location: loc },
      { mediaType: 0, channel: 1, event: 0, location: loc },
    ];
    expectEncodeError(() => encode('stored-multimedia-search-response', { replySerial: 1, items }));
  });

  it('round-trip (property)', () => {
    const head = { mediaId: u32, mediaType: u8, mediaFormat: u8, event: u8, channel: u8 };
    const withLocation = fc.record({ ...head, location, data: bytes(64) });
    const jpeg2011 = fc.record({ ...head, data: bytes(32).map((d) => Buffer.concat([hex('ffd8ff'), d])) });
    fc.assert(
      fc.property(withLocation, fc.constantFrom(C2013, C2019), (b: jt808.MultimediaData, ctx) =>
        roundTrip('multimedia-data', b, ctx),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    fc.assert(
      fc.property(jpeg2011, (b: jt808.MultimediaData) => roundTrip('multimedia-data', b, C2013)),
      { seed: SEED, numRuns: 50 },
    );

    const item = fc.record({ mediaType: u8, channel: u8, event: u8, location });
    const items2013 = fc.array(
      fc.record({ mediaId: u32, item }).map(({ mediaId, item }): jt808.StoredMultimediaItem => ({ mediaId, ...item })),
      { maxLength: 5 },
    );
    const items2011 = fc.array(item, { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(u16, items2013, fc.constantFrom(C2013, C2019), (replySerial, items, ctx) =>
        roundTrip('stored-multimedia-search-response', { replySerial, items }, ctx),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    fc.assert(
      fc.property(u16, items2011, (replySerial, items) =>
        roundTrip('stored-multimedia-search-response', { replySerial, items }, C2013),
      ),
      { seed: SEED, numRuns: 50 },
    );
  });
});

describe('small fixed-layout messages round-trip (property)', () => {
  const ctx = fc.constantFrom(C2013, C2019);

  it('0x0108, 0x0701, 0x0800, 0x0805, 0x0900, 0x0A00', () => {
    const opts = { seed: SEED, numRuns: RUNS };
    fc.assert(
      fc.property(fc.record({ upgradeType: u8, result: u8 }), ctx, (b, c) => roundTrip('upgrade-result', b, c)),
      opts,
    );
    fc.assert(
      fc.property(fc.record({ waybill: bytes(300) }), ctx, (b, c) => roundTrip('electronic-waybill', b, c)),
      opts,
    );
    fc.assert(
      fc.property(fc.record({ mediaId: u32, mediaType: u8, mediaFormat: u8, event: u8, channel: u8 }), ctx, (b, c) =>
        roundTrip('multimedia-event', b, c),
      ),
      opts,
    );
    const shot = fc.oneof(
      fc.record({ replySerial: u16, result: u8 }),
      fc.record({ replySerial: u16, result: u8, mediaIds: fc.array(u32, { maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(shot, ctx, (b: jt808.CameraShotResponse, c) => roundTrip('camera-shot-response', b, c)),
      opts,
    );
    fc.assert(
      fc.property(fc.record({ passThroughType: u8, data: bytes(300) }), ctx, (b, c) =>
        roundTrip('uplink-pass-through', b, c),
      ),
      opts,
    );
    fc.assert(
      fc.property(fc.record({ exponent: u32, modulus: exactBytes(128) }), ctx, (b, c) =>
        roundTrip('terminal-rsa-public-key', b, c),
      ),
      opts,
    );
  });

  it('refuses a modulus that is not 128 bytes', () => {
    expectEncodeError(() => encode('terminal-rsa-public-key', { exponent: 3, modulus: Buffer.alloc(127) }));
  });
});

describe('truncated bodies become `unknown` through decodeJt808Frame', () => {
  const cases: [string, number, string, 2013 | 2019][] = [
    ['0x0100 2013 header, 20 bytes', 0x0100, `002c012c${'41'.repeat(16)}`, 2013],
    ['0x0100 2019 header, 60 bytes', 0x0100, '00'.repeat(60), 2019],
    ['0x0107 shorter than any layout', 0x0107, `0001${'00'.repeat(40)}`, 2013],
    ['0x0108 one byte', 0x0108, '34', 2013],
    ['0x0701 declared 10, 5 present', 0x0701, '0000000a 0102030405', 2013],
    ['0x0702 name length 5, 2 bytes', 0x0702, '01 240506070809 00 05 4142', 2013],
    ['0x0702 2019 card without validity date', 0x0702, `01 240506070809 00 00 ${'41'.repeat(20)} 00 2030`, 2019],
    ['0x0705 two items announced, one present', 0x0705, `0002 2000050350 00000001 ${'00'.repeat(8)}`, 2013],
    ['0x0800 seven bytes', 0x0800, '00000001000000', 2013],
    ['0x0801 seven bytes', 0x0801, '00000001 00 00 00', 2013],
    ['0x0802 two items announced, one present', 0x0802, `0001 0002 00000001 00 01 00 ${'00'.repeat(28)}`, 2019],
    ['0x0805 three ids announced, two present', 0x0805, '0001 00 0003 00000001 00000002', 2013],
    ['0x0900 empty', 0x0900, '', 2013],
    ['0x0A00 100-byte modulus', 0x0a00, `00010001${'ab'.repeat(100)}`, 2013],
  ];

  it.each(cases)('%s', (_name, msgId, bodyHex, version) => {
    const body = hex(bodyHex);
    const r = jt808.decodeJt808Frame(frame(msgId, body, version));
    if (!r.ok) throw new Error(`frame rejected: ${r.issue.code}`);
    expect(r.message.type).toBe('unknown');
    if (r.message.type !== 'unknown') return;
    expect(r.message.msgId).toBe(msgId);
    expect(r.message.body).toEqual(body);
    expect(r.message.reason.code).toBe('IOTHUB_ERR_TRUNCATED');
    expect(r.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_TRUNCATED']);
  });

  it('random bodies never throw (property)', () => {
    const ids = [
      0x0003, 0x0004, 0x0100, 0x0102, 0x0107, 0x0108, 0x0701, 0x0702, 0x0705, 0x0800, 0x0801, 0x0802, 0x0805, 0x0900,
      0x0a00,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...ids), bytes(200), fc.constantFrom(C2013, C2019), (msgId, body, ctx) => {
        const r = jt808.decodeJt808Body(msgId, body, ctx);
        expect(['unknown', jt808.codecForId(msgId)!.type]).toContain(r.message.type);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
