import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodecIssue } from '../../src/errors.ts';
import { jt808 } from '../../src/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkSplitEverywhere, type FramerHarness } from '../helpers/framing.ts';

function harness(
  options?: jt808.Jt808FramerOptions,
): FramerHarness & { issues: CodecIssue[]; framer: jt808.Jt808Framer } {
  const framer = new jt808.Jt808Framer(options);
  const frames: Buffer[] = [];
  const issues: CodecIssue[] = [];
  const sink = { frame: (f: Buffer) => frames.push(f), issue: (i: CodecIssue) => issues.push(i) };
  return { framer, issues, push: (c) => framer.push(c, sink), frames: () => frames };
}

/** The same framer through the allocation-free `frameAt` sink form. */
function harnessAt(): FramerHarness {
  const framer = new jt808.Jt808Framer();
  const frames: Buffer[] = [];
  const sink: jt808.Jt808FrameSink = {
    frame: () => {
      throw new Error('frame() must not be called when frameAt is present');
    },
    frameAt: (buf, start, end) => frames.push(Buffer.from(buf.subarray(start, end))),
    issue: () => {},
  };
  return { push: (c) => framer.push(c, sink), frames: () => frames };
}

/** Unescaped content of a wire frame (what the framer must yield). */
function content(wire: Buffer): Buffer {
  return jt808.unescapeJt808(wire.subarray(1, wire.length - 1));
}

const golden = loadGolden('jt808').map(([, c]) => Buffer.from(c.wire, 'hex'));
const garbage = Buffer.from('000102037d0124244142ff', 'hex');

describe('Jt808Framer', () => {
  it('yields every golden frame whole, at every split, byte by byte, glued and after garbage', () => {
    expect(golden.length).toBeGreaterThan(0);
    for (const [i, wire] of golden.entries()) {
      const others = golden.filter((_, j) => j !== i).slice(0, 3);
      checkSplitEverywhere(
        () => harness(),
        wire,
        [content(wire)],
        garbage,
        others.map((o) => ({ wire: o, expected: [content(o)] })),
      );
    }
  });

  it('yields the same frames through the frameAt sink, and they decode like decodeJt808Frame', () => {
    for (const [i, wire] of golden.entries()) {
      const others = golden.filter((_, j) => j !== i).slice(0, 2);
      checkSplitEverywhere(
        harnessAt,
        wire,
        [content(wire)],
        garbage,
        others.map((o) => ({ wire: o, expected: [content(o)] })),
      );
      const padded = Buffer.concat([Buffer.from('0102', 'hex'), content(wire), Buffer.from('03', 'hex')]);
      const at = jt808.decodeJt808FrameAt(padded, 2, padded.length - 1);
      const whole = jt808.decodeJt808Frame(content(wire));
      expect(at.ok && whole.ok).toBe(true);
      if (at.ok && whole.ok) {
        expect(at.header).toEqual(whole.header);
        expect(at.message.type).toBe(whole.message.type);
      }
    }
  });

  it('handles an escape split across reads', () => {
    const wire = golden.find((g) => g.includes(0x7d))!;
    const at = wire.indexOf(0x7d) + 1; // split between 7d and its 01/02
    const h = harness();
    h.push(wire.subarray(0, at));
    expect(h.framer.pendingBytes).toBeGreaterThan(0);
    h.push(wire.subarray(at));
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([content(wire).toString('hex')]);
  });

  it('reports garbage, bad escapes, short and oversized frames, and keeps going', () => {
    const good = golden[0]!;
    const h = harness({ maxFrameSize: 64 });
    const oversized = Buffer.concat([Buffer.from([0x7e]), Buffer.alloc(100, 0x11), Buffer.from([0x7e])]);
    h.push(Buffer.from('41424344', 'hex')); // garbage
    h.push(Buffer.from('7e0102037d0504050607080910111213147e', 'hex')); // bad escape
    h.push(Buffer.from('7e01027e', 'hex')); // too short
    h.push(oversized);
    h.push(good);
    expect(h.frames().map((f) => f.toString('hex'))).toEqual([content(good).toString('hex')]);
    expect(h.issues.map((i) => i.code)).toEqual([
      'IOTHUB_ERR_FRAME_GARBAGE',
      'IOTHUB_ERR_FRAME_ESCAPE',
      'IOTHUB_ERR_FRAME_TOO_SHORT',
      'IOTHUB_ERR_FRAME_TOO_LARGE',
    ]);
    expect(h.framer.stats).toMatchObject({ frames: 1, discardedBytes: 4, escapeErrors: 1, tooShort: 1, oversized: 1 });
  });

  it('delivers a bad check code flagged, or drops it when asked', () => {
    const wire = Buffer.from(golden[0]!);
    wire[wire.length - 2]! ^= 0x01; // corrupt the check code (not a 7e/7d here)
    const lenient = harness();
    lenient.push(wire);
    expect(lenient.frames()).toHaveLength(1);
    expect(lenient.framer.stats.checksumFailures).toBe(1);
    expect(lenient.issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_FRAME_CHECKSUM']);
    const strict = harness({ dropBadChecksum: true });
    strict.push(wire);
    expect(strict.frames()).toHaveLength(0);
  });

  it('never throws and never holds more than maxFrameSize on random bytes (200,000 cases)', () => {
    const maxFrameSize = 256;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const h = harness({ maxFrameSize });
        for (const c of chunks) {
          h.push(Buffer.from(c));
          if (h.framer.pendingBytes > maxFrameSize) return false;
        }
        return h.frames().every((f) => f.length <= maxFrameSize);
      }),
      { numRuns: 200_000, seed: 808 },
    );
  });

  it('recovers every intact frame from mutated streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: golden.length - 1 }),
        fc.uint8Array({ minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 40 }),
        (idx, noise, cut) => {
          const good = golden[idx]!;
          // A damaged frame (truncated, noise appended) followed by a clean one: the clean one survives.
          const damaged = Buffer.concat([good.subarray(0, Math.min(cut, good.length - 1)), Buffer.from(noise)]);
          const h = harness();
          h.push(Buffer.concat([damaged, Buffer.from([0x7e]), good]));
          const out = h.frames().map((f) => f.toString('hex'));
          expect(out).toContain(content(good).toString('hex'));
        },
      ),
      { numRuns: 20_000, seed: 7 },
    );
  });
});
