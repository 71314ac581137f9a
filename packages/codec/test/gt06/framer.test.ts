import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16x25 } from '../../src/core/checksum.ts';
import type { CodecIssue } from '../../src/errors.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkSplitEverywhere, type FramerHarness } from '../helpers/framing.ts';
import { gt06 } from './gt06.ts';

function harness(
  options?: gt06.Gt06FramerOptions,
): FramerHarness & { issues: CodecIssue[]; oks: (boolean | null)[]; framer: gt06.Gt06Framer } {
  const framer = new gt06.Gt06Framer(options);
  const frames: Buffer[] = [];
  const oks: (boolean | null)[] = [];
  const issues: CodecIssue[] = [];
  const sink = {
    frame: (f: Buffer, ok: boolean | null) => {
      frames.push(f);
      oks.push(ok);
    },
    issue: (i: CodecIssue) => issues.push(i),
  };
  return { framer, issues, oks, push: (c) => framer.push(c, sink), frames: () => frames };
}

const golden = loadGolden('gt06').map(([, c]) => Buffer.from(c.wire, 'hex'));
/** Frames with a length and a CRC (the clone forms have neither). */
const standard = golden.filter((g) => {
  const long = g[0] === 0x79;
  const len = long ? g.readUInt16BE(2) : g[2]!;
  return len >= 5 && len + (long ? 6 : 5) === g.length;
});
// Garbage without a start marker; it does not end in 78 / 79 (that would pair with the next frame's first byte).
const garbage = Buffer.from('000102037d01242441420d0a7800ff00', 'hex');

function frame(proto: number, content: Buffer, serial: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([content.length + 5, proto]),
    content,
    Buffer.from([serial >> 8, serial & 0xff]),
  ]);
  const crc = crc16x25(body);
  return Buffer.concat([Buffer.from([0x78, 0x78]), body, Buffer.from([crc >> 8, crc & 0xff, 0x0d, 0x0a])]);
}

describe('Gt06Framer', () => {
  it('yields every golden frame whole, at every split, byte by byte, glued and after garbage', () => {
    expect(golden.length).toBeGreaterThan(20);
    for (const [i, wire] of golden.entries()) {
      const others = [
        golden[(i + 1) % golden.length]!,
        golden[(i + 7) % golden.length]!,
        golden[(i + 13) % golden.length]!,
      ];
      checkSplitEverywhere(
        () => harness(),
        wire,
        [wire],
        garbage,
        others.map((o) => ({ wire: o, expected: [o] })),
      );
    }
  });

  it('reports the CRC verdict: true, false, or null for frames without a CRC', () => {
    const h = harness();
    const login = golden[0]!; // classic login (01-login.json)
    const bad = Buffer.from(login);
    bad[bad.length - 3]! ^= 0x01;
    const clone = Buffer.from('78780d010861234567890123220d0a', 'hex');
    h.push(Buffer.concat([login, bad, clone]));
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([login, bad, clone].map((f) => f.toString('hex')));
    expect(h.oks).toEqual([true, false, null]);
    expect(h.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_FRAME_CHECKSUM']);
    expect(h.framer.stats).toMatchObject({ frames: 3, crcFailures: 1, fallbackFrames: 1 });
    const strict = harness({ dropBadCrc: true });
    strict.push(Buffer.concat([bad, login]));
    expect(strict.frames()).toHaveLength(1);
    expect(strict.framer.stats).toMatchObject({ crcFailures: 1, droppedBadCrc: 1, frames: 1 });
  });

  it('does not cut at an 0D 0A inside a frame whose declared length is still arriving', () => {
    // 0x9B content with 0D 0A inside (D1 §11 style).
    const f = frame(0x9b, Buffer.from('0344373532304136320d0a', 'hex'), 0x000f);
    const h = harness();
    const cut = f.indexOf(Buffer.from('0d0a', 'hex')) + 2;
    h.push(f.subarray(0, cut));
    expect(h.frames()).toHaveLength(0);
    expect(h.framer.pendingBytes).toBe(cut);
    h.push(f.subarray(cut));
    expect(h.frames().map((x) => x.toString('hex'))).toEqual([f.toString('hex')]);
  });

  it('emits the 15-byte clone login at once although its byte 2 claims 18 bytes', () => {
    const h = harness();
    h.push(Buffer.from('78780d010861234567890123220d0a', 'hex'));
    expect(h.frames()).toHaveLength(1);
    expect(h.framer.pendingBytes).toBe(0);
  });

  it('resynchronises: a truncated frame followed by an intact one yields the intact one', () => {
    const good = standard[0]!;
    const h = harness();
    h.push(Buffer.concat([Buffer.from('7878222203', 'hex'), good, good, good, good]));
    const out = h.frames().map((f) => f.toString('hex'));
    expect(out.filter((x) => x === good.toString('hex')).length).toBeGreaterThanOrEqual(3);
    expect(h.issues.some((i) => i.code === 'IOTHUB_ERR_FRAME_GARBAGE')).toBe(true);
  });

  it('reports garbage and oversized frames, and keeps going', () => {
    const good = standard[0]!;
    const h = harness({ maxFrameSize: 64 });
    h.push(Buffer.from('41424344', 'hex'));
    h.push(Buffer.concat([Buffer.from('7979ffff', 'hex'), Buffer.alloc(100, 0x11)])); // LEN impossible, no 0D 0A
    h.push(good);
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([good.toString('hex')]);
    const codes = h.issues.map((i) => i.code);
    expect(codes[0]).toBe('IOTHUB_ERR_FRAME_GARBAGE');
    expect(codes).toContain('IOTHUB_ERR_FRAME_TOO_LARGE');
    expect(h.framer.stats.oversized).toBeGreaterThan(0);
    expect(h.framer.stats.discardedBytes).toBeGreaterThanOrEqual(4 + 64);
    expect(h.framer.pendingBytes).toBe(0);
  });

  it('stays linear and quiet on a flood of start markers, then recovers', () => {
    const maxFrameSize = 1024;
    const h = harness({ maxFrameSize });
    const flood = Buffer.alloc(64 * 1024, 0x78);
    for (let i = 0; i < flood.length; i += 64) {
      h.push(flood.subarray(i, i + 64));
      expect(h.framer.pendingBytes).toBeLessThanOrEqual(maxFrameSize);
    }
    // Each oversize event drops at least half the window.
    expect(h.framer.stats.oversized).toBeLessThanOrEqual((2 * flood.length) / maxFrameSize + 2);
    const good = standard[0]!;
    h.push(Buffer.concat([Buffer.from([0x00]), good, good]));
    expect(h.frames().map((f) => f.toString('hex'))).toContain(good.toString('hex'));
  });

  it('accepts Uint8Array chunks and can be reset', () => {
    const good = standard[1]!;
    const framer = new gt06.Gt06Framer();
    const frames: Buffer[] = [];
    const sink = { frame: (f: Buffer) => frames.push(f), issue: () => {} };
    framer.push(new Uint8Array(good.subarray(0, 5)), sink);
    expect(framer.pendingBytes).toBe(5);
    framer.reset();
    expect(framer.pendingBytes).toBe(0);
    framer.push(new Uint8Array(good), sink);
    expect(frames.map((f) => f.toString('hex'))).toEqual([good.toString('hex')]);
  });

  it('hands out (buffer, start, end) to a frameAt sink, copying only frames assembled across chunks', () => {
    const [a, b] = [standard[2]!, standard[3]!];
    const framer = new gt06.Gt06Framer();
    const seen: { same: boolean; hex: string }[] = [];
    const stream = Buffer.concat([a, b]);
    const first = stream.subarray(0, a.length + 3);
    const second = stream.subarray(a.length + 3);
    const sink = {
      frame: () => {
        throw new Error('frame() must not be called when frameAt is present');
      },
      frameAt: (buf: Buffer, start: number, end: number) =>
        seen.push({ same: buf === first || buf === second, hex: buf.subarray(start, end).toString('hex') }),
      issue: () => {},
    };
    framer.push(first, sink);
    framer.push(second, sink);
    expect(seen.map((s) => s.hex)).toEqual([a.toString('hex'), b.toString('hex')]);
    expect(seen.map((s) => s.same)).toEqual([true, false]);
    const d = gt06.decodeGt06FrameAt(stream, a.length, stream.length);
    expect(d.ok && d.header.serial).toBe(
      gt06.decodeGt06Frame(b).ok ? (gt06.decodeGt06Frame(b) as gt06.Gt06Packet).header.serial : -1,
    );
  });

  it('never throws and never holds more than maxFrameSize on random bytes (200,000 cases)', () => {
    const maxFrameSize = 256;
    const markers = [0x78, 0x79, 0x0d, 0x0a];
    // Bytes biased towards the framing bytes, so that markers, lengths and stops all occur.
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...markers));
    fc.assert(
      fc.property(fc.array(fc.array(byte, { maxLength: 48 }), { maxLength: 8 }), (chunks) => {
        const framer = new gt06.Gt06Framer({ maxFrameSize });
        let ok = true;
        const sink = {
          frame(f: Buffer) {
            if (f.length > maxFrameSize) ok = false;
          },
          issue() {},
        };
        for (const c of chunks) {
          framer.push(Buffer.from(c), sink);
          if (framer.pendingBytes > maxFrameSize) return false;
        }
        return ok;
      }),
      { numRuns: 200_000, seed: 0x6706 },
    );
  });

  it('recovers every intact standard frame from mutated streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: standard.length - 1 }),
        fc.integer({ min: 0, max: standard.length - 1 }),
        fc.uint8Array({ minLength: 0, maxLength: 20 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        (a, b, noise, cut, split) => {
          // A damaged frame (truncated, noise appended) then an intact one, fed in two pieces.
          const damaged = Buffer.concat([standard[a]!.subarray(0, Math.min(cut, standard[a]!.length - 1)), noise]);
          const good = standard[b]!;
          const stream = Buffer.concat([damaged, good, good]);
          const h = harness();
          const at = Math.min(split, stream.length);
          h.push(stream.subarray(0, at));
          h.push(stream.subarray(at));
          const out = h.frames().map((f) => f.toString('hex'));
          return out.includes(good.toString('hex'));
        },
      ),
      { numRuns: 20_000, seed: 0x0d0a },
    );
  });

  it('random bytes never make decodeGt06Frame throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.boolean(), (bytes, long) => {
        const head = long ? [0x79, 0x79] : [0x78, 0x78];
        const f = Buffer.from([...head, ...bytes, 0x0d, 0x0a]);
        const r = gt06.decodeGt06Frame(f);
        return typeof r.ok === 'boolean';
      }),
      { numRuns: 50_000, seed: 94 },
    );
  });
});
