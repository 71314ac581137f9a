import type { CodecIssue } from '../../src/errors.ts';
import {
  type AttachmentFileData,
  AttachmentFileDataFramer,
  type AttachmentFramerOptions,
  AttachmentStreamFramer,
  type AttachmentStreamFramerOptions,
  encodeAttachmentFileData,
  Jt1078Framer,
  type Jt1078FramerOptions,
  type Jt1078Packet,
} from '../../src/jt1078/index.ts';
import type { FramerHarness } from '../helpers/framing.ts';
import { type Json, toJson } from '../helpers/json.ts';

/** A packet as a plain object (own fields + the lazily created body), in JSON form. */
export function packetJson(p: Jt1078Packet): Json {
  return toJson({ ...p, body: p.body });
}

export function jt1078Harness(
  options?: Jt1078FramerOptions,
): FramerHarness & { framer: Jt1078Framer; packets: Jt1078Packet[]; issues: CodecIssue[] } {
  const framer = new Jt1078Framer(options);
  const packets: Jt1078Packet[] = [];
  const issues: CodecIssue[] = [];
  const sink = { packet: (p: Jt1078Packet) => packets.push(p), issue: (i: CodecIssue) => issues.push(i) };
  return {
    framer,
    packets,
    issues,
    push: (c) => framer.push(c, sink),
    frames: () => packets.map((p) => p.raw),
  };
}

export function fileDataHarness(
  options?: AttachmentFramerOptions,
): FramerHarness & { framer: AttachmentFileDataFramer; packets: AttachmentFileData[]; issues: CodecIssue[] } {
  const framer = new AttachmentFileDataFramer(options);
  const packets: AttachmentFileData[] = [];
  const issues: CodecIssue[] = [];
  const sink = { fileData: (p: AttachmentFileData) => packets.push(p), issue: (i: CodecIssue) => issues.push(i) };
  return {
    framer,
    packets,
    issues,
    push: (c) => framer.push(c, sink),
    // Re-encoded: equal to the wire bytes when name, offset and data all survived.
    frames: () => packets.map((p) => encodeAttachmentFileData(p)),
  };
}

/** Output of the demultiplexing framer: `f:<file-data hex>` or `j:<808 frame hex>` in arrival order. */
export function attachmentHarness(options?: AttachmentStreamFramerOptions): {
  framer: AttachmentStreamFramer;
  out: string[];
  fileData: AttachmentFileData[];
  issues: CodecIssue[];
  push(c: Buffer): void;
} {
  const framer = new AttachmentStreamFramer(options);
  const out: string[] = [];
  const fileData: AttachmentFileData[] = [];
  const issues: CodecIssue[] = [];
  const sink = {
    fileData: (p: AttachmentFileData) => {
      fileData.push(p);
      out.push(`f:${p.fileName}@${p.offset}:${p.data.toString('hex')}`);
    },
    jt808Frame: (f: Buffer) => out.push(`j:${f.toString('hex')}`),
    issue: (i: CodecIssue) => issues.push(i),
  };
  return { framer, out, fileData, issues, push: (c) => framer.push(c, sink) };
}

/** Small deterministic PRNG (mulberry32): random cases cheaper than fast-check's composite arbitraries. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * A random byte stream for framer properties, from `seed`: up to 4 segments, each random bytes,
 * a whole piece (valid frames, magics...), a piece with one byte changed, or a truncated piece;
 * then cut into random chunks of up to `maxChunk` bytes.
 */
export function randomChunks(seed: number, pieces: Buffer[], maxChunk = 40): { all: Buffer; chunks: Buffer[] } {
  const r = prng(seed);
  const segments: Buffer[] = [];
  const count = r() % 5;
  for (let k = 0; k < count; k++) {
    const kind = r() % 4;
    if (kind === 0) {
      const b = Buffer.allocUnsafe(r() % 25);
      for (let q = 0; q < b.length; q++) b[q] = r() & 0xff;
      segments.push(b);
    } else {
      const piece = pieces[r() % pieces.length]!;
      if (kind === 1) segments.push(piece);
      else if (kind === 2) {
        const g = Buffer.from(piece);
        if (g.length > 0) g[r() % g.length] = r() & 0xff;
        segments.push(g);
      } else segments.push(piece.subarray(0, r() % (piece.length + 1)));
    }
  }
  const all = Buffer.concat(segments);
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < all.length) {
    const next = Math.min(all.length, at + 1 + (r() % maxChunk));
    chunks.push(all.subarray(at, next));
    at = next;
  }
  return { all, chunks };
}
