/**
 * GT06 benchmarks (run through `pnpm bench:codec`). Target (issue #2): ≥ 3,000,000 0x22
 * location frames framed and decoded per second on one core.
 */
import * as gt06 from '../src/gt06/index.ts';
import { type BenchLine, consume, opsPerSecond } from './util.ts';

/** A 0x22 location (GPS block, 2G cell, ACC / mode / re-upload) as a current 2G tracker sends it. */
function location(i: number): Buffer {
  return gt06.encodeGt06(
    { serial: i & 0xffff },
    {
      type: 'location',
      protocol: 0x22,
      body: {
        layout: 'standard',
        gps: {
          time: new Date(Date.UTC(2026, 10, 22, 8, 15, i % 60)),
          gpsInfoLength: 12,
          satellites: 9,
          latitude: 22.54321 + i * 1e-5,
          longitude: 114.057868 + i * 1e-5,
          speed: 60,
          course: (i * 7) % 360,
          positioned: true,
          differential: false,
        },
        cell: { mcc: 460, mnc: 0, mncTwoBytes: false, lac: 0x287d, cellId: 0x1f71 + i },
        acc: true,
        uploadMode: 0,
        reupload: false,
      },
    },
  );
}

export function benchGt06(): BenchLine[] {
  const lines: BenchLine[] = [];
  const decode = gt06.decodeGt06FrameAt;
  // The hot path: the framer hands out (chunk, start, end) and the frame is decoded in place.
  const sink = {
    frame(f: Buffer, crcOk: boolean | null) {
      consume(gt06.decodeGt06Frame(f, crcOk));
    },
    frameAt(buf: Buffer, start: number, end: number, crcOk: boolean | null) {
      consume(decode(buf, start, end, crcOk));
    },
    issue() {
      throw new Error('unexpected framing issue in benchmark');
    },
  };
  // 100 frames per chunk, as a busy connection's reads would carry them.
  const frames = Array.from({ length: 100 }, (_, i) => location(i));
  const check = gt06.decodeGt06Frame(frames[0]!);
  if (!check.ok || check.message.type !== 'location') throw new Error('0x22 benchmark frame does not decode');
  const chunk = Buffer.concat(frames);
  const framer = new gt06.Gt06Framer();
  lines.push({
    name: 'gt06_0x22_frame_decode',
    value: opsPerSecond(() => framer.push(chunk, sink), { opsPerCall: 100 }),
    unit: 'frames/s',
  });
  // The same through the Buffer-view callback (`frame`), for comparison.
  const viewSink = { frame: sink.frame, issue: sink.issue };
  lines.push({
    name: 'gt06_0x22_frame_decode_view',
    value: opsPerSecond(() => framer.push(chunk, viewSink), { opsPerCall: 100 }),
    unit: 'frames/s',
  });
  return lines;
}
