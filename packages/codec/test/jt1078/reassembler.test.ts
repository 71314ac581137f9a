import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodecIssue } from '../../src/errors.ts';
import {
  decodeJt1078Packet,
  encodeJt1078Frame,
  encodeJt1078Packet,
  hasHisiliconHeader,
  type Jt1078AudioFrame,
  type Jt1078Packet,
  type Jt1078PassThroughData,
  Jt1078Reassembler,
  type Jt1078ReassemblerOptions,
  type Jt1078VideoFrame,
  splitAnnexB,
} from '../../src/jt1078/index.ts';
import { prng } from './util.ts';

const SIM = '013912345678';
const T0 = 1732241730000;

function decode(b: Buffer): Jt1078Packet {
  const r = decodeJt1078Packet(b);
  if (!r.ok) throw new Error(r.issue.code);
  return r.packet;
}

/** Packets of one video frame (split into ≤ maxBody pieces). */
function videoFrame(
  data: Buffer,
  o: { sequence: number; dataType?: 0 | 1; channel?: number; sim?: string; pt?: number; ts?: number; maxBody?: number },
): Jt1078Packet[] {
  return encodeJt1078Frame(
    {
      sim: o.sim ?? SIM,
      channel: o.channel ?? 1,
      sequence: o.sequence,
      payloadType: o.pt ?? 98,
      dataType: o.dataType ?? 1,
      timestamp: o.ts ?? T0,
      lastIFrameInterval: 40,
      lastFrameInterval: 40,
    },
    data,
    o.maxBody ?? 950,
  ).map(decode);
}

function audioPacket(body: Buffer, sequence: number, channel = 1, pt = 6): Jt1078Packet {
  return decode(
    encodeJt1078Packet({ sim: SIM, channel, sequence, payloadType: pt, dataType: 3, timestamp: T0 + sequence, body }),
  );
}

function run(packets: Jt1078Packet[], options?: Jt1078ReassemblerOptions) {
  const r = new Jt1078Reassembler(options);
  const video: Jt1078VideoFrame[] = [];
  const audio: Jt1078AudioFrame[] = [];
  const pass: Jt1078PassThroughData[] = [];
  const issues: CodecIssue[] = [];
  const sink = {
    video: (f: Jt1078VideoFrame) => video.push(f),
    audio: (f: Jt1078AudioFrame) => audio.push(f),
    passThrough: (d: Jt1078PassThroughData) => pass.push(d),
    issue: (i: CodecIssue) => issues.push(i),
  };
  for (const p of packets) r.push(p, sink);
  return { r, video, audio, pass, issues };
}

const SPS = Buffer.from('0000000167420c1f', 'hex');
const PPS = Buffer.from('0000000168ce3c80', 'hex');
/** A slice NAL of `n` bytes without accidental start codes. */
function slice(header: number, n: number): Buffer {
  const b = Buffer.alloc(n, 0x5a);
  Buffer.from([0, 0, 0, 1, header]).copy(b);
  return b;
}

describe('splitAnnexB', () => {
  it('splits at 3- and 4-byte start codes, ignores leading bytes and trailing zeros', () => {
    const au = Buffer.from('ff00000001674d1f00000168ee3c8000000000016588', 'hex');
    expect(splitAnnexB(au, 'h264')).toEqual([
      { type: 7, offset: 5, length: 3 },
      { type: 8, offset: 11, length: 4 },
      { type: 5, offset: 20, length: 2 },
    ]);
    expect(splitAnnexB(Buffer.from('6588', 'hex'), 'h264')).toEqual([]);
    expect(splitAnnexB(Buffer.from('000001', 'hex'), 'h264')).toEqual([]);
  });

  it('reads H.265 types from the 2-byte header', () => {
    const au = Buffer.from('0000000140010c000000014201010000000144 01c1 0000000126 01af'.replace(/ /g, ''), 'hex');
    expect(splitAnnexB(au, 'h265').map((u) => u.type)).toEqual([32, 33, 34, 19]);
  });
});

describe('Jt1078Reassembler', () => {
  it('passes an atomic I-frame through with its NAL units', () => {
    const data = Buffer.concat([SPS, PPS, slice(0x65, 40)]);
    const { video, issues } = run(videoFrame(data, { sequence: 10, dataType: 0 }));
    expect(issues).toEqual([]);
    expect(video).toHaveLength(1);
    const f = video[0]!;
    expect(f).toMatchObject({
      sim: SIM,
      channel: 1,
      keyFrame: true,
      dataType: 0,
      sequence: 10,
      packets: 1,
      timestamp: T0,
    });
    expect(f.data.equals(data)).toBe(true);
    expect(f.nalUnits.map((u) => u.type)).toEqual([7, 8, 5]);
  });

  it('joins first, middle and last pieces, across the sequence wrap', () => {
    const data = slice(0x41, 2500);
    const packets = videoFrame(data, { sequence: 65534 });
    expect(packets.map((p) => [p.subpacket, p.sequence, p.marker])).toEqual([
      [1, 65534, false],
      [3, 65535, false],
      [2, 0, true],
    ]);
    const { video, issues, r } = run(packets);
    expect(issues).toEqual([]);
    expect(video).toHaveLength(1);
    expect(video[0]!.data.equals(data)).toBe(true);
    expect(video[0]).toMatchObject({ keyFrame: false, packets: 3, sequence: 65534 });
    expect(video[0]!.nalUnits.map((u) => u.type)).toEqual([1]);
    expect(r.stats).toMatchObject({ packets: 3, videoFrames: 1, keyFrames: 0, droppedFrames: 0 });
  });

  it('drops a frame with a missing piece, reports it once and carries on', () => {
    const a = videoFrame(slice(0x41, 3000), { sequence: 1 });
    const b = videoFrame(slice(0x41, 100), { sequence: 5 });
    const { video, issues, r } = run([a[0]!, a[1]!, a[3]!, ...b]); // a[2] lost
    expect(video.map((f) => f.sequence)).toEqual([5]);
    expect(issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_STREAM_GAP']);
    expect(issues[0]!.bytes).toBe(1900);
    expect(r.stats).toMatchObject({ gaps: 1, droppedFrames: 1, droppedPackets: 1 });
  });

  it('drops a partial frame when a first or atomic packet arrives before its last piece', () => {
    const a = videoFrame(slice(0x41, 2000), { sequence: 1 }); // 3 pieces
    const b = videoFrame(slice(0x41, 1500), { sequence: 3 }); // 2 pieces
    const c = videoFrame(slice(0x41, 10), { sequence: 6 }); // atomic
    const { video, issues } = run([a[0]!, a[1]!, ...b.slice(0, 1), ...c]);
    expect(video.map((f) => f.sequence)).toEqual([6]);
    expect(issues.map((i) => [i.code, i.detail?.includes('before the last piece')])).toEqual([
      ['IOTHUB_ERR_STREAM_GAP', true],
      ['IOTHUB_ERR_STREAM_GAP', true],
    ]);
  });

  it('drops the pieces of a frame whose first packet was lost, with one report', () => {
    const a = videoFrame(slice(0x41, 4000), { sequence: 1 }); // 5 pieces
    const b = videoFrame(slice(0x41, 100), { sequence: 6 });
    const { video, issues, r } = run([...a.slice(1), ...b]);
    expect(video.map((f) => f.sequence)).toEqual([6]);
    expect(issues).toHaveLength(1);
    expect(r.stats.droppedPackets).toBe(4);
  });

  it('keeps interleaved channels apart (each numbered on its own)', () => {
    const a = videoFrame(slice(0x41, 2000), { sequence: 100, channel: 1 });
    const b = videoFrame(slice(0x65, 2000), { sequence: 7, channel: 2, dataType: 0 });
    const mixed = a.flatMap((p, k) => [p, b[k]!]);
    const { video, issues } = run(mixed);
    expect(issues).toEqual([]);
    expect(video.map((f) => [f.channel, f.keyFrame, f.data.length])).toEqual([
      [1, false, 2000],
      [2, true, 2000],
    ]);
  });

  it('accepts audio inside a split video frame and channels sharing one sequence counter', () => {
    // One counter for the whole connection: v0 a1 v2 | ch2: w3 w4 | v5 …
    const v = videoFrame(slice(0x41, 2000), { sequence: 0 }).map((p) => p.raw);
    const renumber = (raw: Buffer, seq: number) => {
      const b = Buffer.from(raw);
      b.writeUInt16BE(seq, 6);
      return decode(b);
    };
    const w = videoFrame(slice(0x41, 1200), { sequence: 0, channel: 2 }).map((p) => p.raw);
    const stream = [
      renumber(v[0]!, 0),
      audioPacket(Buffer.alloc(160, 0xd5), 1),
      renumber(v[1]!, 2),
      renumber(w[0]!, 3),
      renumber(w[1]!, 4),
      renumber(v[2]!, 5),
    ];
    const { video, audio, issues } = run(stream);
    expect(issues).toEqual([]);
    expect(audio).toHaveLength(1);
    expect(video.map((f) => [f.channel, f.data.length])).toEqual([
      [2, 1200],
      [1, 2000],
    ]);
  });

  it('assembles H.265 (PT 99) key frames', () => {
    const data = Buffer.concat([
      Buffer.from('0000000140010c01', 'hex'),
      Buffer.from('0000000142010101', 'hex'),
      Buffer.from('0000000144 01c1'.replace(' ', ''), 'hex'),
      slice(0x26, 1800),
    ]);
    const { video } = run(videoFrame(data, { sequence: 1, pt: 99, dataType: 0 }));
    expect(video).toHaveLength(1);
    expect(video[0]!.keyFrame).toBe(true);
    expect(video[0]!.nalUnits.map((u) => u.type)).toEqual([32, 33, 34, 19]);
  });

  it('leaves NAL units empty for payload types other than H.264/H.265', () => {
    const { video } = run(videoFrame(slice(0x41, 30), { sequence: 1, pt: 100 }));
    expect(video[0]!.nalUnits).toEqual([]);
  });

  it('strips a HiSilicon audio header only when its length matches', () => {
    const payload = Buffer.alloc(160, 0xd5);
    const withHeader = Buffer.concat([Buffer.from([0x00, 0x01, 80, 0x00]), payload]);
    const notHeader = Buffer.concat([Buffer.from([0x00, 0x01, 79, 0x00]), payload]);
    expect(hasHisiliconHeader(withHeader)).toBe(true);
    expect(hasHisiliconHeader(notHeader)).toBe(false);
    const { audio } = run([audioPacket(withHeader, 1), audioPacket(notHeader, 2), audioPacket(payload, 3)]);
    expect(audio.map((a) => [a.hisiliconHeader, a.data.length])).toEqual([
      [true, 160],
      [false, 164],
      [false, 160],
    ]);
    expect(audio[0]!.data.equals(payload)).toBe(true);
  });

  it('joins split audio and pass-through data', () => {
    const audio = encodeJt1078Frame(
      { sim: SIM, channel: 1, sequence: 1, payloadType: 8, dataType: 3, timestamp: T0 },
      Buffer.alloc(1000, 0x42),
    ).map(decode);
    const pass = encodeJt1078Frame(
      { sim: SIM, channel: 1, sequence: 3, payloadType: 91, dataType: 4 },
      Buffer.from('pass-through data'),
      8,
    ).map(decode);
    const out = run([...audio, ...pass]);
    expect(out.issues).toEqual([]);
    expect(out.audio.map((a) => [a.packets, a.data.length, a.payloadType])).toEqual([[2, 1000, 8]]);
    expect(out.pass.map((d) => [d.packets, d.data.toString()])).toEqual([[3, 'pass-through data']]);
  });

  it('drops a frame over maxFrameBytes and the rest of its pieces', () => {
    const big = videoFrame(slice(0x41, 5000), { sequence: 1 });
    const next = videoFrame(slice(0x41, 500), { sequence: 7 });
    const { video, issues, r } = run([...big, ...next], { maxFrameBytes: 2048 });
    expect(video.map((f) => f.sequence)).toEqual([7]);
    expect(issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_REASSEMBLY_OVERFLOW']);
    expect(r.stats).toMatchObject({ oversized: 1, droppedFrames: 1, droppedPackets: 4 });
  });

  it('evicts the least recently used stream beyond maxStreams', () => {
    const a = videoFrame(slice(0x41, 2000), { sequence: 1, channel: 1 });
    const b = videoFrame(slice(0x41, 10), { sequence: 1, channel: 2 });
    const c = videoFrame(slice(0x41, 10), { sequence: 1, channel: 3 });
    const { r, issues, video } = run([a[0]!, ...b, ...c, a[1]!], { maxStreams: 2 });
    expect(r.stats.evictedStreams).toBe(2); // channel 1 (partial frame lost), then channel 2
    expect(r.streamCount).toBe(2);
    expect(video.map((f) => f.channel)).toEqual([2, 3]);
    expect(issues.map((i) => i.code)).toEqual(['IOTHUB_ERR_REASSEMBLY_OVERFLOW', 'IOTHUB_ERR_STREAM_GAP']);
  });

  it('never throws and stays bounded on random packet sequences', () => {
    const pool = [
      ...videoFrame(slice(0x65, 2100), { sequence: 0, dataType: 0 }),
      ...videoFrame(slice(0x41, 900), { sequence: 3, channel: 2 }),
      audioPacket(Buffer.alloc(40, 1), 4),
      ...encodeJt1078Frame(
        { sim: SIM, channel: 1, sequence: 5, payloadType: 91, dataType: 4 },
        Buffer.alloc(20),
        8,
      ).map(decode),
    ].map((p) => p.raw);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rnd = prng(seed);
        const packets: Jt1078Packet[] = [];
        const n = rnd() % 30;
        for (let k = 0; k < n; k++) {
          const b = Buffer.from(pool[rnd() % pool.length]!);
          if (rnd() % 3 === 0) b.writeUInt16BE(rnd() & 0xffff, 6); // sequence
          if (rnd() % 4 === 0) b[14] = rnd() % 5; // channel
          const res = decodeJt1078Packet(b);
          if (res.ok) packets.push(res.packet);
        }
        const maxFrameBytes = 3000;
        const { r, video, audio, pass } = run(packets, { maxFrameBytes, maxStreams: 3 });
        if (r.streamCount > 3) return false;
        for (const f of [...video, ...audio, ...pass]) if (f.data.length > maxFrameBytes) return false;
        return r.stats.packets === packets.length;
      }),
      { numRuns: 5_000, seed: 99 },
    );
  });
});
