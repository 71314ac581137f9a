/**
 * pnpm bench:codec — codec throughput on one core. Prints `bench <name> <value> <unit>` lines.
 * Targets (issue #2): ≥ 1,500,000 JT/T 808 0x0200 framer+decode/s, ≥ 3,000,000 Jimi 0x22/s,
 * ≥ 5,000,000 JT/T 1078 packet headers/s.
 */
import { jt808 } from '../src/index.ts';
import { benchGt06 } from './gt06.ts';
import { benchJt1078 } from './jt1078.ts';
import { type BenchLine, consume, opsPerSecond, printLine } from './util.ts';

const PHONE = '013912345678';

/** A 0x0200 body with the items a typical tracker sends: mileage, fuel, speed, signals, IO, RSSI, satellites. */
function locationBody(i: number): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(0, 0); // alarm
  b.writeUInt32BE(0x000c0003, 4); // status: ACC on, positioned, GPS+BeiDou
  b.writeUInt32BE(22_543_210 + i, 8); // latitude 1e-6
  b.writeUInt32BE(114_057_868 + i, 12); // longitude 1e-6
  b.writeUInt16BE(42, 16); // altitude
  b.writeUInt16BE(605, 18); // speed 60.5 km/h
  b.writeUInt16BE(270, 20); // course
  Buffer.from('261122081530', 'hex').copy(b, 22); // 2026-11-22 08:15:30 GMT+8
  const items = Buffer.from(
    [
      '0104000186a0', // 0x01 mileage 10000.0 km
      '02020064', // 0x02 fuel 10.0 L
      '0302025d', // 0x03 tachograph speed 60.5
      '250400000001', // 0x25 extended signals
      '2a020000', // 0x2a IO status
      '30011f', // 0x30 RSSI 31
      '31010c', // 0x31 satellites 12
    ].join(''),
    'hex',
  );
  return Buffer.concat([b, items]);
}

function jt808Lines(): BenchLine[] {
  const lines: BenchLine[] = [];
  // The allocation-free sink form a gateway connection uses (framer → decodeJt808FrameAt).
  const decodeSink = {
    frame(f: Buffer, ok: boolean) {
      consume(jt808.decodeJt808Frame(f, ok));
    },
    frameAt(buf: Buffer, start: number, end: number, ok: boolean) {
      consume(jt808.decodeJt808FrameAt(buf, start, end, ok));
    },
    issue() {
      throw new Error('unexpected framing issue in benchmark');
    },
  };

  // 0x0200: framer + decode, 100 frames per chunk (as a busy connection's reads would carry them).
  const frames0200 = Array.from({ length: 100 }, (_, i) =>
    jt808.encodeJt808Raw({ msgId: 0x0200, version: 2013, phone: PHONE, serial: i }, locationBody(i)),
  );
  const chunk0200 = Buffer.concat(frames0200);
  const framer = new jt808.Jt808Framer();
  {
    const check = jt808.decodeJt808Frame(jt808.unescapeJt808(frames0200[0]!.subarray(1, -1)));
    if (!check.ok || check.message.type === 'unknown') throw new Error('0x0200 benchmark frame does not decode');
  }
  lines.push({
    name: 'jt808_0200_frame_decode',
    value: opsPerSecond(() => framer.push(chunk0200, decodeSink), { opsPerCall: 100 }),
    unit: 'frames/s',
  });

  // 0x0704 with 5 locations: framer + decode.
  const batchBody = Buffer.concat([
    Buffer.from([0x00, 0x05, 0x01]),
    ...Array.from({ length: 5 }, (_, i) => {
      const loc = locationBody(i);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(loc.length);
      return Buffer.concat([len, loc]);
    }),
  ]);
  const chunk0704 = Buffer.concat(
    Array.from({ length: 20 }, (_, i) =>
      jt808.encodeJt808Raw({ msgId: 0x0704, version: 2013, phone: PHONE, serial: i }, batchBody),
    ),
  );
  lines.push({
    name: 'jt808_0704x5_frame_decode',
    value: opsPerSecond(() => framer.push(chunk0704, decodeSink), { opsPerCall: 20 }),
    unit: 'frames/s',
  });

  // 0x8001 encode (the reply every location gets).
  let serial = 0;
  lines.push({
    name: 'jt808_8001_encode',
    value: opsPerSecond(() => {
      serial = (serial + 1) & 0xffff;
      consume(
        jt808.encodeJt808(
          { version: 2013, phone: PHONE, serial },
          { type: 'platform-general-response', body: { replySerial: serial, replyMsgId: 0x0200, result: 0 } },
        ),
      );
    }),
    unit: 'frames/s',
  });
  return lines;
}

/**
 * What the primitives every decoder pays for cost on this machine, so that the figures above can
 * be compared with other machines: one `Date`, one Buffer view (subarray), one small object.
 */
function calibration(): BenchLine[] {
  const buf = Buffer.alloc(4096);
  let k = 0;
  const ns = (ops: number) => 1e9 / ops;
  return [
    { name: 'calib_new_date', value: ns(opsPerSecond(() => consume(new Date(1_700_000_000_000 + k++)))), unit: 'ns' },
    {
      name: 'calib_buffer_subarray',
      value: ns(opsPerSecond(() => consume(buf.subarray(k & 1023, (k++ & 1023) + 80)))),
      unit: 'ns',
    },
    { name: 'calib_small_object', value: ns(opsPerSecond(() => consume({ a: k++, b: 2, c: 'x' }))), unit: 'ns' },
  ];
}

const lines = [...jt808Lines(), ...benchGt06(), ...benchJt1078(), ...calibration()];
for (const l of lines) printLine(l);
