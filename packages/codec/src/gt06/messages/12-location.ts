import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import { alarmName, type Gt06AlarmName, type Gt06UploadMode, uploadModeName } from '../alarms.ts';
import {
  cellSize,
  decodeTerminalInfo,
  encodeTerminalInfo,
  GPS_BLOCK_SIZE,
  type Gt06Cell,
  type Gt06CellFormat,
  type Gt06Gps,
  type Gt06LbsBlock,
  type Gt06TerminalInfo,
  readCell,
  readGps,
  readImei,
  readLbsWithLength,
  readTime,
  writeCell,
  writeGps,
  writeImei,
  writeLbsWithLength,
  writeTime,
} from '../fields.ts';
import { defineMessage, type Gt06Context, type Gt06FrameInfo } from '../message.ts';

/**
 * Location ↑: 0x12 (classic GT06), 0x22 (UTC, current 2G), 0xA0 (4G cell), 0x11 (traccar's
 * "new GT06 variation", wide cell) and, on NT-family models, 0x22 / 0x25.
 * D1 §3, D2 §3 and §10, D12; protocols/jimi-gt06.md §5.3, §3.3, §3.4.
 *
 * | bytes            | field                                                             |
 * |------------------|-------------------------------------------------------------------|
 * | 18               | GPS block (§3.3)                                                  |
 * | 2+1+2+3          | MCC, MNC, LAC, cell id (2G). 0xA0: 2+1(2)+4+8. 0x11: 2+2+2+4.     |
 * |                  | MCC bit 15 set → MNC is 2 bytes. No LBS length byte here.          |
 * | 1                | ACC: 00 off, 01 on                                                |
 * | 1                | data upload mode (00 interval ... 0F exit tracking)               |
 * | 1                | 00 real-time, 01 re-upload of a buffered point                    |
 * | 4                | mileage (optional)                                                |
 *
 * Classic 0x12 stops after the cell block; like traccar we read ACC / mode / re-upload only
 * when exactly 3 (or 3 + 4 mileage) bytes remain, mileage alone when exactly 4 remain, and keep
 * any other tail raw in `extra` (vendor variants VXT01, Benway, S5, Wetrust, GT06E-card of §6).
 * QH302R (profile `imei-prefix`) puts an 8-byte IMEI in front of 0x12.
 *
 * NT family (profile `nt`; NT11/20/26/40/46, VL100, XT40), 0x22 and 0x25 (§5.3):
 * source (1), IMEI (8), device time (6), GPS block, LBS with length byte, terminal info (1),
 * power u16 / 100 V, battery u8 / 10 V, GSM (1), alarm (1), language (1), odometer u24, engine
 * hours u24 (minutes); 0x25 adds a driver block: length (1), type (1), id.
 * No reply per the documents (traccar acks anyway).
 */
export interface LocationStandard {
  layout: 'standard';
  /** QH302R: IMEI sent in front of the GPS block. */
  imei?: string;
  gps: Gt06Gps;
  /** The cell block; absent when the content ends after the GPS block. */
  cell?: Gt06Cell;
  /** ACC byte: 00 off, 01 on. */
  acc?: boolean;
  /** Data upload mode byte (D2 §3). */
  uploadMode?: number;
  uploadModeName?: Gt06UploadMode;
  /** True when this is a re-uploaded buffered point. */
  reupload?: boolean;
  /** Mileage (unit as sent by the device; metres on most models). */
  mileage?: number;
  extra?: Buffer;
}

export interface LocationNt extends Gt06LbsBlock {
  layout: 'nt';
  /** Location source byte. */
  source: number;
  imei: string;
  deviceTime: Date | null;
  gps: Gt06Gps;
  terminalInfo: Gt06TerminalInfo;
  /** External power, volts (u16 / 100). */
  power: number;
  /** Internal battery, volts (u8 / 10). */
  battery: number;
  gsmSignal: number;
  alarmCode: number;
  alarm?: Gt06AlarmName;
  language: number;
  /** Odometer (u24, unit as sent). */
  odometer: number;
  /** Engine hours, minutes (u24). */
  hoursMinutes: number;
  /** 0x25 driver block: first byte after the block length. */
  driverIdType?: number;
  /** 0x25 driver block: the id bytes. */
  driverId?: Buffer;
  extra?: Buffer;
}

export type Location = LocationStandard | LocationNt;

export function locationCellFormat(protocol: number): Gt06CellFormat {
  return protocol === 0xa0 ? '4g' : protocol === 0x11 ? 'wide' : '2g';
}

function decodeStandard(r: Reader, f: Gt06FrameInfo, ctx: Gt06Context): LocationStandard {
  // Fast path, the form current trackers send (0x22 / 0x12 with a 2G cell, then ACC, upload mode
  // and re-upload): the body is built in one literal, in the same key order as below, instead of
  // growing by five properties.
  if (f.protocol !== 0xa0 && f.protocol !== 0x11 && ctx.profile.location !== 'imei-prefix') {
    const rem = r.remaining - GPS_BLOCK_SIZE;
    const b = r.buf;
    const at = r.pos + GPS_BLOCK_SIZE;
    if (rem === 11 || (rem === 12 && (b[at]! & 0x80) !== 0)) {
      const gps = readGps(r, ctx);
      const cell = readCell(r, '2g');
      const p = r.pos;
      r.pos = p + 3;
      const acc = b[p] !== 0;
      const uploadMode = b[p + 1]!;
      const reupload = b[p + 2] !== 0;
      const name = uploadModeName(uploadMode);
      if (name !== undefined) {
        return { layout: 'standard', gps, cell, acc, uploadMode, uploadModeName: name, reupload };
      }
      return { layout: 'standard', gps, cell, acc, uploadMode, reupload };
    }
  }
  const imei = ctx.profile.location === 'imei-prefix' && f.protocol === 0x12 ? readImei(r) : undefined;
  const body: LocationStandard = { layout: 'standard', gps: readGps(r, ctx) };
  if (imei !== undefined) body.imei = imei;
  const format = locationCellFormat(f.protocol);
  const rem = r.remaining;
  if (rem >= 2 && rem >= cellSize(format, (r.buf[r.pos]! & 0x80) !== 0)) body.cell = readCell(r, format);
  const tail = r.remaining;
  if (tail === 3 || tail === 7) {
    body.acc = r.u8() !== 0;
    const mode = r.u8();
    body.uploadMode = mode;
    const name = uploadModeName(mode);
    if (name) body.uploadModeName = name;
    body.reupload = r.u8() !== 0;
  }
  if (r.remaining === 4) body.mileage = r.u32();
  else if (r.remaining > 0) body.extra = r.rest();
  return body;
}

function encodeStandard(w: Writer, b: LocationStandard, protocol: number, ctx: Gt06Context): void {
  if (b.imei !== undefined) writeImei(w, b.imei);
  writeGps(w, b.gps, ctx);
  if (b.cell) writeCell(w, b.cell, locationCellFormat(protocol));
  const hasTail = b.acc !== undefined || b.uploadMode !== undefined || b.reupload !== undefined;
  if (hasTail) {
    if (b.acc === undefined || b.uploadMode === undefined || b.reupload === undefined) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'acc, uploadMode and reupload go together');
    }
    w.u8(b.acc ? 1 : 0)
      .u8(b.uploadMode)
      .u8(b.reupload ? 1 : 0);
  }
  if (b.mileage !== undefined) w.u32(b.mileage);
  if (b.extra) w.bytes(b.extra);
}

/** NT tail after the LBS block: 13 bytes, plus the driver block for 0x25. */
function ntTailOk(protocol: number, r: Reader) {
  return (rest: number, at: number): boolean =>
    protocol === 0x25 ? rest >= 14 && r.buf[at + 13]! + 14 === rest : rest === 13;
}

function decodeNt(r: Reader, f: Gt06FrameInfo, ctx: Gt06Context): LocationNt {
  const source = r.u8();
  const imei = readImei(r);
  const deviceTime = readTime(r, ctx);
  const gps = readGps(r, ctx);
  const lbs = readLbsWithLength(r, ntTailOk(f.protocol, r));
  const terminalInfo = decodeTerminalInfo(r.u8());
  const body: LocationNt = {
    layout: 'nt',
    source,
    imei,
    deviceTime,
    gps,
    ...lbs,
    terminalInfo,
    power: r.u16() / 100,
    battery: r.u8() / 10,
    gsmSignal: r.u8(),
    alarmCode: r.u8(),
    language: r.u8(),
    odometer: r.u24(),
    hoursMinutes: r.u24(),
  };
  const name = alarmName(body.alarmCode, ctx.profile.alarms);
  if (name) body.alarm = name;
  if (f.protocol === 0x25 && r.remaining > 0) {
    const n = r.u8();
    if (n > 0) {
      body.driverIdType = r.u8();
      body.driverId = r.bytes(n - 1);
    }
  }
  if (r.remaining > 0) body.extra = r.rest();
  return body;
}

function scaled(v: number, scale: number, max: number, what: string): number {
  const raw = Math.round(v * scale);
  if (!Number.isFinite(v) || raw < 0 || raw > max) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v}`);
  return raw;
}

function encodeNt(w: Writer, b: LocationNt, protocol: number, ctx: Gt06Context): void {
  w.u8(b.source);
  writeImei(w, b.imei);
  writeTime(w, b.deviceTime, ctx);
  writeGps(w, b.gps, ctx);
  writeLbsWithLength(w, b);
  w.u8(encodeTerminalInfo(b.terminalInfo));
  w.u16(scaled(b.power, 100, 0xffff, 'power'));
  w.u8(scaled(b.battery, 10, 0xff, 'battery'));
  w.u8(b.gsmSignal).u8(b.alarmCode).u8(b.language).u24(b.odometer).u24(b.hoursMinutes);
  if (b.driverId) {
    if (protocol !== 0x25) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'driverId only in 0x25');
    w.u8(b.driverId.length + 1)
      .u8(b.driverIdType ?? 0)
      .bytes(b.driverId);
  }
  if (b.extra) w.bytes(b.extra);
}

export const m12Location = defineMessage({
  type: 'location',
  protocols: [0x11, 0x12, 0x22, 0x25, 0xa0],
  direction: 'up',
  // Standard form with content; 0x25 only on NT models (otherwise its layout is unknown).
  match: (f, ctx) => !f.clone && f.contentLength > 0 && (f.protocol !== 0x25 || ctx.profile.location === 'nt'),
  decode(r, f, ctx): Location {
    if (ctx.profile.location === 'nt' && (f.protocol === 0x22 || f.protocol === 0x25)) return decodeNt(r, f, ctx);
    return decodeStandard(r, f, ctx);
  },
  encode(w, b: Location, protocol, ctx) {
    if (b.layout === 'nt') encodeNt(w, b, protocol, ctx);
    else encodeStandard(w, b, protocol, ctx);
  },
});
