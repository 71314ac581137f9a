import { bcdByte } from '../../core/bcd.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { writeExactBytes } from './terminal-fields.ts';

/**
 * 0x0705 CAN bus data upload (T→P); answered with 0x8001. Same layout in 2013 / 2019 (SmallChi
 * `JT808_0x0705.cs`; the CAN id bit split as in the `CanIdBit` union of the open C++ jt808 library
 * `jt808_can.h`); not in 2011.
 *
 * | field             | type    | notes                                                     |
 * |-------------------|---------|-----------------------------------------------------------|
 * | item count        | WORD    | > 0                                                       |
 * | receive time      | BCD[5]  | hh mm ss msms of the first item (msms = 4 BCD digits, ms) |
 * | items × count     |         |                                                           |
 * |   CAN id          | DWORD   | bit31 channel (0 CAN1, 1 CAN2), bit30 frame type (0 standard, 1 extended), bit29 collection (0 raw, 1 average over the interval), bits 0–28 bus id |
 * |   CAN data        | BYTE[8] |                                                           |
 *
 * The receive time has no date; it is given as milliseconds after midnight in the wire time zone
 * (GMT+8 by default), `null` when the BCD is not a valid time of day (then it encodes as zeros).
 */
export interface CanBusData {
  /** Receive time of the first item, ms after local midnight (0–86 399 999); null when invalid. */
  receiveTimeOfDay: number | null;
  items: CanBusItem[];
}

export interface CanBusItem {
  /** CAN id bit 31: 0 CAN1, 1 CAN2. */
  channel: number;
  /** CAN id bit 30: 0 standard frame, 1 extended frame. */
  frameType: number;
  /** CAN id bit 29: 0 raw data, 1 average over the collection interval. */
  collectionMethod: number;
  /** CAN id bits 0–28: the bus identifier. */
  busId: number;
  /** The 8 data bytes (a view into the frame). */
  data: Buffer;
}

const DATA_LENGTH = 8;
const BUS_ID_MASK = 0x1fffffff;
const DAY_MS = 86_400_000;

function readTimeOfDay(buf: Buffer, p: number): number | null {
  const h = bcdByte(buf[p]!);
  const m = bcdByte(buf[p + 1]!);
  const s = bcdByte(buf[p + 2]!);
  const msHi = bcdByte(buf[p + 3]!);
  const msLo = bcdByte(buf[p + 4]!);
  if ((h | m | s | msHi | msLo) < 0 || h > 23 || m > 59 || s > 59 || msHi > 9) return null;
  return ((h * 60 + m) * 60 + s) * 1000 + msHi * 100 + msLo;
}

function bcd2(v: number): number {
  return (Math.floor(v / 10) << 4) | (v % 10);
}

function checkBit(v: number, field: string): void {
  if (v !== 0 && v !== 1) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} ${v} must be 0 or 1`);
}

export const m0705 = defineMessage({
  msgId: 0x0705,
  type: 'can-bus-data',
  direction: 'up',
  decode(r): CanBusData {
    const count = r.u16();
    r.need(5);
    const receiveTimeOfDay = readTimeOfDay(r.buf, r.pos);
    r.pos += 5;
    r.need(count * (4 + DATA_LENGTH));
    const items: CanBusItem[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const id = r.u32();
      items[i] = {
        channel: id >>> 31,
        frameType: (id >>> 30) & 1,
        collectionMethod: (id >>> 29) & 1,
        busId: id & BUS_ID_MASK,
        data: r.bytes(DATA_LENGTH),
      };
    }
    return { receiveTimeOfDay, items };
  },
  encode(w, b: CanBusData) {
    w.u16(b.items.length);
    const t = b.receiveTimeOfDay;
    if (t === null) w.zeros(5);
    else {
      if (!Number.isInteger(t) || t < 0 || t >= DAY_MS)
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `receiveTimeOfDay ${t} outside 0..${DAY_MS - 1}`);
      const ms = t % 1000;
      const secs = (t - ms) / 1000;
      w.u8(bcd2(Math.floor(secs / 3600)))
        .u8(bcd2(Math.floor(secs / 60) % 60))
        .u8(bcd2(secs % 60))
        .u8(bcd2(Math.floor(ms / 100)))
        .u8(bcd2(ms % 100));
    }
    for (const item of b.items) {
      checkBit(item.channel, 'channel');
      checkBit(item.frameType, 'frameType');
      checkBit(item.collectionMethod, 'collectionMethod');
      if (!Number.isInteger(item.busId) || item.busId < 0 || item.busId > BUS_ID_MASK)
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `busId ${item.busId} outside 29 bits`);
      w.u32(item.channel * 0x80000000 + item.frameType * 0x40000000 + item.collectionMethod * 0x20000000 + item.busId);
      writeExactBytes(w, item.data, DATA_LENGTH, 'data');
    }
  },
});
