import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeJt1078Packet,
  encodeJt1078Frame,
  encodeJt1078Packet,
  isJt1078AudioPayload,
  isJt1078VideoPayload,
  JT1078_MAX_BODY,
  type Jt1078PacketInput,
  jt1078HeaderLength,
  jt1078PayloadTypeName,
} from '../../src/jt1078/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';

const golden = loadGolden('jt1078')
  .filter(([f]) => f === 'packet.json')
  .map(([, c]) => Buffer.from(c.wire, 'hex'));

const base = {
  sim: '013912345678',
  channel: 1,
  sequence: 1,
  payloadType: 98,
  dataType: 1,
  timestamp: 1732241730000,
  body: Buffer.from('00000001419a', 'hex'),
} as const satisfies Jt1078PacketInput;

/** Every field across its whole range. */
const packetInput: fc.Arbitrary<Jt1078PacketInput> = fc
  .record({
    simLength: fc.constantFrom(6 as const, 10 as const),
    digits: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 20, maxLength: 20 }),
    channel: fc.integer({ min: 0, max: 255 }),
    sequence: fc.integer({ min: 0, max: 0xffff }),
    payloadType: fc.integer({ min: 0, max: 127 }),
    subpacket: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    marker: fc.boolean(),
    version: fc.integer({ min: 0, max: 3 }),
    padding: fc.boolean(),
    extension: fc.boolean(),
    csrcCount: fc.integer({ min: 0, max: 15 }),
    body: fc.uint8Array({ maxLength: JT1078_MAX_BODY }),
    dataType: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const),
    timestamp: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 }), fc.maxSafeNat()),
    lastIFrameInterval: fc.integer({ min: 0, max: 0xffff }),
    lastFrameInterval: fc.integer({ min: 0, max: 0xffff }),
  })
  .map((r): Jt1078PacketInput => {
    const common = {
      sim: r.digits.slice(0, r.simLength * 2).join(''),
      simLength: r.simLength,
      channel: r.channel,
      sequence: r.sequence,
      payloadType: r.payloadType,
      subpacket: r.subpacket,
      marker: r.marker,
      version: r.version,
      padding: r.padding,
      extension: r.extension,
      csrcCount: r.csrcCount,
      body: Buffer.from(r.body),
    };
    if (r.dataType === 4) return { ...common, dataType: 4 };
    if (r.dataType === 3) return { ...common, dataType: 3, timestamp: r.timestamp };
    return {
      ...common,
      dataType: r.dataType,
      timestamp: r.timestamp,
      lastIFrameInterval: r.lastIFrameInterval,
      lastFrameInterval: r.lastFrameInterval,
    };
  });

describe('JT/T 1078 packet codec', () => {
  it('decode(encode(m)) = m over every field range', () => {
    fc.assert(
      fc.property(packetInput, (m) => {
        const wire = encodeJt1078Packet(m);
        const r = decodeJt1078Packet(wire, { simLength: m.simLength! });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const p = r.packet;
        expect({ ...p, body: p.body }).toEqual({ ...m, bodyLength: m.body.length });
        expect(p.raw.equals(wire)).toBe(true);
        expect(wire.length).toBe(jt1078HeaderLength(m.dataType, m.simLength!) + m.body.length);
      }),
      { numRuns: 1_000, seed: 1078 },
    );
  });

  it('guesses the SIM length of 6-byte SIM packets without being told', () => {
    fc.assert(
      fc.property(packetInput, (m) => {
        const six = { ...m, simLength: 6 as const, sim: m.sim.slice(0, 12) };
        const r = decodeJt1078Packet(encodeJt1078Packet(six));
        return r.ok && r.packet.simLength === 6 && r.packet.sim === six.sim;
      }),
      { numRuns: 1_000, seed: 6 },
    );
  });

  it('never throws on random or mutated bytes (50,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 60 }),
          fc
            .tuple(fc.integer({ min: 0, max: golden.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat())
            .map(([i, at, v, cut]) => {
              const g = Buffer.from(golden[i]!);
              g[at % g.length] = v;
              return g.subarray(0, cut % (g.length + 8));
            }),
        ),
        (bytes) => {
          const r = decodeJt1078Packet(Buffer.from(bytes));
          if (!r.ok) return typeof r.issue.code === 'string';
          return r.packet.raw.length <= bytes.length && r.packet.body.length === r.packet.bodyLength;
        },
      ),
      { numRuns: 50_000, seed: 5 },
    );
  });

  it('reports the defined errors', () => {
    const good = encodeJt1078Packet(base);
    const code = (b: Buffer, o?: Parameters<typeof decodeJt1078Packet>[1]) => {
      const r = decodeJt1078Packet(b, o);
      return r.ok ? 'ok' : r.issue.code;
    };
    expect(code(good)).toBe('ok');
    expect(code(Buffer.concat([Buffer.from('20', 'hex'), good.subarray(1)]))).toBe('IOTHUB_ERR_FRAME_GARBAGE');
    expect(code(good.subarray(0, 3))).toBe('IOTHUB_ERR_FRAME_TOO_SHORT');
    expect(code(good.subarray(0, 29))).toBe('IOTHUB_ERR_FRAME_TOO_SHORT');
    expect(code(good.subarray(0, good.length - 1))).toBe('IOTHUB_ERR_FRAME_LENGTH');
    expect(code(good, { maxPacketSize: 32 })).toBe('IOTHUB_ERR_FRAME_TOO_LARGE');
    const badType = Buffer.from(good);
    badType[15] = 0x50;
    expect(code(badType)).toBe('IOTHUB_ERR_FIELD_VALUE');
    // Bytes after the packet are left for the caller.
    const r = decodeJt1078Packet(Buffer.concat([good, Buffer.from('ffff', 'hex')]));
    expect(r.ok && r.packet.raw.length).toBe(good.length);
  });

  it('refuses values the fields cannot hold', () => {
    const bad: Partial<Record<string, unknown>>[] = [
      { sequence: 0x10000 },
      { sequence: -1 },
      { channel: 256 },
      { payloadType: 128 },
      { body: Buffer.alloc(JT1078_MAX_BODY + 1) },
      { timestamp: -1 },
      { timestamp: 1.5 },
      { timestamp: 2 ** 53 },
      { sim: '0139123456789', simLength: 6 },
      { sim: '01391234567x' },
      { version: 4 },
      { csrcCount: 16 },
      { subpacket: 4 },
      { dataType: 5 },
      { lastIFrameInterval: 0x10000 },
    ];
    for (const b of bad) {
      expect(() => encodeJt1078Packet({ ...base, ...b } as Jt1078PacketInput), JSON.stringify(b)).toThrow(
        /IOTHUB_ERR_ENCODE_VALUE/,
      );
    }
    expect(
      encodeJt1078Packet({ ...base, sim: '1' })
        .subarray(8, 14)
        .toString('hex'),
    ).toBe('000000000001');
    expect(encodeJt1078Packet({ ...base, sim: '123456789012345' }).length).toBe(34 + 6);
  });

  it('splits a frame into first, middle and last packets with consecutive sequence numbers', () => {
    const data = Buffer.alloc(2001, 7);
    const packets = encodeJt1078Frame({ ...base, sequence: 65535 }, data).map((b) => {
      const r = decodeJt1078Packet(b);
      if (!r.ok) throw new Error(r.issue.code);
      return r.packet;
    });
    expect(packets.map((p) => [p.subpacket, p.marker, p.sequence, p.bodyLength])).toEqual([
      [1, false, 65535, 950],
      [3, false, 0, 950],
      [2, true, 1, 101],
    ]);
    expect(encodeJt1078Frame(base, Buffer.alloc(0)).length).toBe(1);
    expect(() => encodeJt1078Frame(base, data, 0)).toThrow(/IOTHUB_ERR_ENCODE_VALUE/);
  });

  it('names payload types', () => {
    expect([6, 7, 8, 19, 26, 91, 98, 99, 100, 101].map(jt1078PayloadTypeName)).toEqual([
      'G.711A',
      'G.711U',
      'G.726',
      'AAC',
      'ADPCMA',
      'pass-through',
      'H.264',
      'H.265',
      'AVS',
      'SVAC',
    ]);
    expect(jt1078PayloadTypeName(50)).toBeUndefined();
    expect([
      isJt1078VideoPayload(98),
      isJt1078VideoPayload(6),
      isJt1078AudioPayload(6),
      isJt1078AudioPayload(91),
    ]).toEqual([true, false, true, false]);
  });
});
