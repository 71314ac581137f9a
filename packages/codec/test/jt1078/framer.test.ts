import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJt1078Packet } from '../../src/jt1078/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkSplitEverywhere } from '../helpers/framing.ts';
import { jt1078Harness, randomChunks } from './util.ts';

const golden = loadGolden('jt1078')
  .filter(([f]) => f === 'packet.json')
  .map(([, c]) => Buffer.from(c.wire, 'hex'));
/** 6-byte-SIM and 10-byte-SIM packets (a terminal uses one or the other on a connection). */
const golden6 = golden.filter((g) => g[15]! >> 4 <= 4 && (g[15]! & 0x0f) <= 3 && g.length === jt1078Total(g, 6));
const golden10 = golden.filter((g) => !golden6.includes(g));
/** No `30 31 63 64` inside, but prefixes of it (the framer must not lose a magic right after them). */
const garbage = Buffer.from('3031630041ff7e303130313031', 'hex');

/** Timestamp of a 6-byte-SIM packet (undefined for pass-through). */
function ts6(b: Buffer): bigint | undefined {
  return b[15]! >> 4 === 4 ? undefined : b.readBigUInt64BE(16);
}

function jt1078Total(b: Buffer, sim: 6 | 10): number {
  const dt = b[9 + sim]! >> 4;
  const hdr = 12 + sim + (dt === 4 ? 0 : dt === 3 ? 8 : 12);
  return hdr + b.readUInt16BE(hdr - 2);
}

/** A 10-byte-SIM packet whose bytes also read as a plausible 6-byte-SIM packet (SIM byte 7 = 0x00). */
function ambiguous10(sequence: number): Buffer {
  const p = encodeJt1078Packet({
    sim: '13800138000000100000',
    simLength: 10,
    channel: 1,
    sequence,
    payloadType: 98,
    dataType: 1,
    timestamp: 1732241730000 + sequence * 40,
    lastIFrameInterval: 40, // the 6-byte reading takes this as its body length: 30 + 40 = 70
    lastFrameInterval: 40,
    body: Buffer.alloc(40, 0x11), // the real packet: 34 + 40 = 74
  });
  return p;
}

describe('Jt1078Framer', () => {
  it('golden fixtures split into 6-byte and 10-byte SIM packets', () => {
    expect(golden6.length).toBeGreaterThan(8);
    expect(golden10.length).toBe(2);
    for (const g of golden10) expect(g.length).toBe(jt1078Total(g, 10));
  });

  it('yields every golden packet whole, at every split, byte by byte, glued and after garbage', () => {
    for (const set of [golden6, golden10]) {
      for (const [i, wire] of set.entries()) {
        const others = set.filter((_, j) => j !== i).slice(0, 3);
        checkSplitEverywhere(
          () => jt1078Harness(),
          wire,
          [wire],
          garbage,
          others.map((o) => ({ wire: o, expected: [o] })),
        );
      }
    }
  });

  it('reads a mixed sequence of 6- and 10-byte SIM packets', () => {
    // Epoch-ms timestamps make the 6-byte packets unambiguous, so no learned length is needed.
    const mixed = [...golden10, ...golden6.filter((g) => (ts6(g) ?? 0n) > 0xffffffffn), golden10[0]!];
    const h = jt1078Harness();
    h.push(Buffer.concat(mixed));
    expect(h.frames().map((f) => f.toString('hex'))).toEqual(mixed.map((g) => g.toString('hex')));
  });

  it('learns an ambiguous 10-byte SIM from the next magic, then frames it at any split', () => {
    const a = ambiguous10(1);
    const b = ambiguous10(2);
    const c = ambiguous10(3);
    const h = jt1078Harness();
    h.push(Buffer.concat([a, b]));
    // `a` is proven by `b`'s magic; `b` ends the read exactly where its 10-byte reading ends.
    expect(h.framer.simLength).toBe(10);
    expect(h.packets.map((p) => [p.simLength, p.sim, p.bodyLength])).toEqual([
      [10, '13800138000000100000', 40],
      [10, '13800138000000100000', 40],
    ]);
    for (const byte of c) h.push(Buffer.from([byte]));
    expect(h.packets).toHaveLength(3);
    expect(h.packets[2]!.raw.toString('hex')).toBe(c.toString('hex'));
  });

  it('uses a configured SIM length from the first byte', () => {
    const a = ambiguous10(1);
    const h = jt1078Harness({ simLength: 10 });
    for (const byte of a) h.push(Buffer.from([byte]));
    expect(h.packets.map((p) => p.raw.toString('hex'))).toEqual([a.toString('hex')]);
  });

  it('holds an ambiguous packet followed by too few bytes, and settles it on flush', () => {
    const wire = golden6.find((g) => ts6(g) === 0n)!; // relative timestamp 0: ambiguous
    const h = jt1078Harness();
    h.push(Buffer.concat([wire, Buffer.from('0000', 'hex')]));
    expect(h.packets).toHaveLength(0);
    expect(h.framer.pendingBytes).toBe(wire.length + 2);
    h.framer.flush({ packet: (p) => h.packets.push(p), issue: (i) => h.issues.push(i) });
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([wire.toString('hex')]);
    expect(h.framer.stats.discardedBytes).toBe(2);
    expect(h.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_FRAME_GARBAGE']);
  });

  it('reports garbage, impossible headers and oversized packets, and keeps going', () => {
    const good = golden6[0]!;
    const badType = Buffer.from(good);
    badType[15] = 0x54; // data type 5
    badType[19] = 0x99; // and no valid 10-byte reading either
    const big = encodeJt1078Packet({
      sim: '013912345678',
      channel: 1,
      sequence: 1,
      payloadType: 98,
      dataType: 1,
      timestamp: 1732241730000,
      body: Buffer.alloc(200, 0x22),
    });
    const h = jt1078Harness({ maxPacketSize: 128 });
    h.push(Buffer.from('41424344', 'hex'));
    h.push(badType.subarray(0, 20));
    h.push(big);
    h.push(good);
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([good.toString('hex')]);
    expect(h.issues.map((i) => i.code)).toEqual([
      'IOTHUB_ERR_FRAME_GARBAGE',
      'IOTHUB_ERR_FIELD_VALUE',
      'IOTHUB_ERR_FRAME_GARBAGE',
      'IOTHUB_ERR_FRAME_TOO_LARGE',
      'IOTHUB_ERR_FRAME_GARBAGE',
    ]);
    expect(h.framer.stats).toMatchObject({ packets: 1, invalidHeaders: 1, oversized: 1 });
    expect(h.framer.stats.discardedBytes).toBe(4 + 20 + big.length);
    expect(h.framer.pendingBytes).toBe(0);
  });

  it('accepts Uint8Array chunks', () => {
    const wire = golden6[0]!;
    const h = jt1078Harness();
    h.push(new Uint8Array(wire) as Buffer);
    expect(h.packets).toHaveLength(1);
  });

  it('never throws, accounts for every byte (also after flush) and holds at most maxPacketSize + 4 (200,000 cases)', () => {
    const maxPacketSize = 64;
    const pieces = [...golden, Buffer.from('30316364', 'hex'), Buffer.from('303163', 'hex')];
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { all, chunks } = randomChunks(seed, pieces);
        const h = jt1078Harness({ maxPacketSize });
        for (const c of chunks) {
          h.push(c);
          if (h.framer.pendingBytes > maxPacketSize + 4) return false;
        }
        let out = 0;
        for (const p of h.packets) {
          if (p.raw.length > maxPacketSize) return false;
          out += p.raw.length;
        }
        const s = h.framer.stats;
        if (s.bytesIn !== all.length || out + s.discardedBytes + h.framer.pendingBytes !== all.length) return false;
        // End of stream: everything held is either a packet or discarded.
        h.framer.flush({ packet: (p) => h.packets.push(p), issue: (i) => h.issues.push(i) });
        let total = 0;
        for (const p of h.packets) total += p.raw.length;
        return h.framer.pendingBytes === 0 && total + s.discardedBytes === all.length;
      }),
      { numRuns: 200_000, seed: 1078 },
    );
  });

  it('resynchronises after a damaged packet: what precedes and what follows maxPacketSize + 4 filler survives', () => {
    const maxPacketSize = 96;
    const filler = Buffer.alloc(maxPacketSize + 4, 0);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (ten, before, after, which, at, value, truncate) => {
          const set = ten ? golden10 : golden6;
          const a = before.map((i) => set[i % set.length]!);
          const b = after.map((i) => set[i % set.length]!);
          const damaged = Buffer.from(set[which % set.length]!);
          const cut = at % damaged.length;
          if (!truncate) damaged[cut] = value;
          const bad = truncate ? damaged.subarray(0, cut) : damaged;
          const h = jt1078Harness({ maxPacketSize });
          h.push(Buffer.concat([...a, bad, filler, ...b]));
          const out = h.packets;
          if (out.length < a.length + b.length) return false;
          for (let k = 0; k < a.length; k++) if (!out[k]!.raw.equals(a[k]!)) return false;
          for (let k = 0; k < b.length; k++) if (!out[out.length - b.length + k]!.raw.equals(b[k]!)) return false;
          return true;
        },
      ),
      { numRuns: 2_000, seed: 42 },
    );
  });
});
