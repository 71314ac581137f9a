/**
 * JT/T 1078 benchmarks (run by codec.bench.ts). Target (issue #2): ≥ 5,000,000 packet headers/s on
 * one core.
 *  - jt1078_header_parse: `decodeJt1078Packet` on single packets (magic, SIM-length decision,
 *    every header field; the body view is not created).
 *  - jt1078_parse_reassemble: a media connection's bytes through `Jt1078Framer` and
 *    `Jt1078Reassembler` (H.264 frames split into 950-byte packets, G.711A audio between frames).
 */
import {
  decodeJt1078Packet,
  encodeJt1078Frame,
  encodeJt1078Packet,
  Jt1078Framer,
  type Jt1078Packet,
  Jt1078Reassembler,
} from '../src/jt1078/index.ts';
import { type BenchLine, consume, opsPerSecond } from './util.ts';

const SIM = '013912345678';
const T0 = 1732241730000;

/** An Annex-B access unit of `size` bytes: one slice NAL of type `nal`. */
function accessUnit(size: number, nal: number): Buffer {
  const b = Buffer.alloc(size, 0x5a);
  Buffer.from([0, 0, 0, 1, nal]).copy(b);
  return b;
}

/** One second of a typical stream: 25 fps (an I-frame then P-frames), 50 G.711A packets. */
function stream(): Buffer[] {
  const packets: Buffer[] = [];
  let seq = 0;
  for (let f = 0; f < 25; f++) {
    const key = f === 0;
    const data = accessUnit(key ? 24_000 : 4_000, key ? 0x65 : 0x41);
    const frame = encodeJt1078Frame(
      {
        sim: SIM,
        channel: 1,
        sequence: seq,
        payloadType: 98,
        dataType: key ? 0 : 1,
        timestamp: T0 + f * 40,
        lastIFrameInterval: f * 40,
        lastFrameInterval: 40,
      },
      data,
    );
    packets.push(...frame);
    seq = (seq + frame.length) & 0xffff;
    for (let a = 0; a < 2; a++) {
      packets.push(
        encodeJt1078Packet({
          sim: SIM,
          channel: 1,
          sequence: seq,
          payloadType: 6,
          dataType: 3,
          timestamp: T0 + f * 40 + a * 20,
          body: Buffer.alloc(160, 0xd5),
        }),
      );
      seq = (seq + 1) & 0xffff;
    }
  }
  return packets;
}

export function benchJt1078(): BenchLine[] {
  const lines: BenchLine[] = [];
  const packets = stream();

  // Header parse: single packets, as a caller holding one packet would decode it.
  const sample = packets.slice(0, 100);
  {
    const check = decodeJt1078Packet(sample[0]!);
    if (!check.ok) throw new Error('JT/T 1078 benchmark packet does not decode');
  }
  let k = 0;
  lines.push({
    name: 'jt1078_header_parse',
    value: opsPerSecond(
      () => {
        const r = decodeJt1078Packet(sample[k]!);
        k = k === 99 ? 0 : k + 1;
        consume(r);
      },
      { opsPerCall: 1 },
    ),
    unit: 'headers/s',
  });

  // Framer + reassembler over the connection's bytes, read in 64 KiB chunks.
  const wire = Buffer.concat(packets);
  const chunks: Buffer[] = [];
  for (let at = 0; at < wire.length; at += 65_536) chunks.push(wire.subarray(at, at + 65_536));
  const framer = new Jt1078Framer();
  const reassembler = new Jt1078Reassembler();
  let frames = 0;
  const frameSink = {
    video: (f: unknown) => {
      frames++;
      consume(f);
    },
    audio: (f: unknown) => consume(f),
    passThrough: (d: unknown) => consume(d),
    issue: () => {
      throw new Error('unexpected reassembly issue in benchmark');
    },
  };
  const packetSink = {
    packet: (p: Jt1078Packet) => reassembler.push(p, frameSink),
    issue: () => {
      throw new Error('unexpected framing issue in benchmark');
    },
  };
  lines.push({
    name: 'jt1078_parse_reassemble',
    value: opsPerSecond(
      () => {
        for (const c of chunks) framer.push(c, packetSink);
      },
      { opsPerCall: packets.length },
    ),
    unit: 'packets/s',
  });
  if (frames === 0) throw new Error('no frames reassembled');
  return lines;
}
