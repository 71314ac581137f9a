import { bcdToString } from '../core/bcd.ts';
import type { Reader } from '../core/reader.ts';
import { readBinaryTime } from '../core/time.ts';
import type { Writer } from '../core/writer.ts';
import { CodecError } from '../errors.ts';
import {
  alarmName,
  GSM_SIGNALS,
  type Gt06AlarmName,
  type Gt06GsmSignal,
  type Gt06Language,
  type Gt06TerminalAlarm,
  type Gt06VoltageLevel,
  languageName,
  TERMINAL_ALARMS,
  VOLTAGE_LEVELS,
} from './alarms.ts';
import type { Gt06Context } from './message.ts';

/**
 * Field encodings shared by the GT06 messages (protocols/jimi-gt06.md §3).
 *
 * §3.2 date-time: 6 bytes binary YY MM DD hh mm ss (not BCD), year 2000 + YY, wire time zone
 *      from the context (UTC on current models).
 * §3.3 GPS block (18 bytes): date-time (6), GPS info (1: high nibble = info length, low nibble =
 *      satellites), latitude u32 and longitude u32 (degrees × 1 800 000), speed u8 km/h,
 *      course/status u16: bit 13 differential, 12 positioned, 11 west, 10 north, 9..0 course;
 *      bit 14 set → bit 15 is ACC (some firmware).
 * §3.4 cell block: MCC u16 (bit 15 set → MNC is 2 bytes), MNC u8/u16, LAC u16 (4G: u32),
 *      cell id u24 (4G: u64). traccar's "new GT06 variation" (0x11) uses MNC u16 + CID u32.
 * §3.5 terminal information byte, §3.6 voltage level, §3.7 GSM signal, §3.8 alarm/language word.
 */

// ---------------------------------------------------------------------------------------------
// Date-time

/** Binary YY MM DD hh mm ss at `p` in the wire time zone; null when not a calendar date (core/time.ts). */
export function readBinaryTimeAt(buf: Uint8Array, p: number, offsetMinutes: number): Date | null {
  return readBinaryTime(buf, p, offsetMinutes);
}

export function readTime(r: Reader, ctx: Gt06Context): Date | null {
  r.need(6);
  const p = r.pos;
  r.pos = p + 6;
  return readBinaryTimeAt(r.buf, p, ctx.timeOffsetMinutes);
}

export function writeTime(w: Writer, time: Date | null, ctx: Gt06Context): void {
  w.binaryTime(time, ctx.timeOffsetMinutes);
}

// ---------------------------------------------------------------------------------------------
// IMEI / IMSI / ICCID (§3.1)

/**
 * 8 bytes of packed BCD: 16 digits, the 15-digit IMEI left-padded with a 0 nibble. The pad
 * digit is dropped when it is 0 (traccar drops it always); any other leading digit is kept so
 * that the value re-encodes to the same bytes.
 */
export function readImei(r: Reader): string {
  const digits = r.bcd(8);
  return digits.charCodeAt(0) === 0x30 ? digits.slice(1) : digits;
}

const DIGITS = /^[0-9]+$/;

export function writeImei(w: Writer, imei: string, what = 'IMEI'): void {
  if (imei.length === 0 || imei.length > 16 || !DIGITS.test(imei)) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} "${imei}" must be 1..16 decimal digits`);
  }
  w.bcd(imei, 8);
}

// ---------------------------------------------------------------------------------------------
// GPS block (§3.3)

export interface Gt06Gps {
  /** Fix time; null when the six bytes are not a valid date-time. */
  time: Date | null;
  /** High nibble of the GPS info byte: length of the GPS information (usually 12). */
  gpsInfoLength: number;
  /** Satellites used in the fix (low nibble, 0–15). */
  satellites: number;
  /** Signed degrees, positive north (status bit 10). */
  latitude: number;
  /** Signed degrees, positive east (status bit 11 clear). */
  longitude: number;
  /** km/h. */
  speed: number;
  /** Degrees clockwise from north, 0–360 (10 bits as sent). */
  course: number;
  /** Bit 12: the position is fixed (valid). */
  positioned: boolean;
  /** Bit 13: differential GPS (0 = real-time). */
  differential: boolean;
  /** ACC / ignition from bit 15, present only when bit 14 says the firmware uses it (traccar). */
  acc?: boolean;
}

export const GPS_BLOCK_SIZE = 18;
const COORD_SCALE = 1_800_000;

/** Coordinates and the course/status word (§3.3) without the time / satellites / speed bytes. */
export interface Gt06CourseStatus {
  latitude: number;
  longitude: number;
  course: number;
  positioned: boolean;
  differential: boolean;
  acc?: boolean;
}

/** Decodes raw coordinates (degrees × 1 800 000) and the course/status word. */
export function courseStatus(latRaw: number, lonRaw: number, flags: number): Gt06CourseStatus {
  const lat = latRaw / COORD_SCALE;
  const lon = lonRaw / COORD_SCALE;
  const c: Gt06CourseStatus = {
    latitude: latRaw === 0 || (flags & 0x0400) !== 0 ? lat : -lat,
    longitude: lonRaw === 0 || (flags & 0x0800) === 0 ? lon : -lon,
    course: flags & 0x03ff,
    positioned: (flags & 0x1000) !== 0,
    differential: (flags & 0x2000) !== 0,
  };
  if ((flags & 0x4000) !== 0) c.acc = (flags & 0x8000) !== 0;
  return c;
}

/** The course/status word for a position (north / east when the coordinate is 0). */
export function courseStatusWord(c: Gt06CourseStatus): number {
  let flags = intIn(c.course, 0, 0x3ff, 'course');
  if (c.latitude >= 0) flags |= 0x0400;
  if (c.longitude < 0) flags |= 0x0800;
  if (c.positioned) flags |= 0x1000;
  if (c.differential) flags |= 0x2000;
  if (c.acc !== undefined) flags |= c.acc ? 0xc000 : 0x4000;
  return flags;
}

export function writeCoordinates(w: Writer, c: { latitude: number; longitude: number }): void {
  w.u32(coordinate(c.latitude, 90, 'latitude'));
  w.u32(coordinate(c.longitude, 180, 'longitude'));
}

/**
 * Reads the 18-byte GPS block. A zero coordinate is returned as +0 whatever its hemisphere
 * bit says (so it re-encodes as north / east).
 */
export function readGps(r: Reader, ctx: Gt06Context): Gt06Gps {
  r.need(GPS_BLOCK_SIZE);
  const b = r.buf;
  const p = r.pos;
  r.pos = p + GPS_BLOCK_SIZE;
  const info = b[p + 6]!;
  const latRaw = ((b[p + 7]! << 24) | (b[p + 8]! << 16) | (b[p + 9]! << 8) | b[p + 10]!) >>> 0;
  const lonRaw = ((b[p + 11]! << 24) | (b[p + 12]! << 16) | (b[p + 13]! << 8) | b[p + 14]!) >>> 0;
  const flags = (b[p + 16]! << 8) | b[p + 17]!;
  const lat = latRaw / COORD_SCALE;
  const lon = lonRaw / COORD_SCALE;
  const gps: Gt06Gps = {
    time: readBinaryTimeAt(b, p, ctx.timeOffsetMinutes),
    gpsInfoLength: info >> 4,
    satellites: info & 0x0f,
    latitude: latRaw === 0 || (flags & 0x0400) !== 0 ? lat : -lat,
    longitude: lonRaw === 0 || (flags & 0x0800) === 0 ? lon : -lon,
    speed: b[p + 15]!,
    course: flags & 0x03ff,
    positioned: (flags & 0x1000) !== 0,
    differential: (flags & 0x2000) !== 0,
  };
  // traccar: when bit 14 is set, bit 15 carries the ignition (some firmware).
  if ((flags & 0x4000) !== 0) gps.acc = (flags & 0x8000) !== 0;
  return gps;
}

function coordinate(v: number, max: number, what: string): number {
  if (!Number.isFinite(v) || Math.abs(v) > max) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} outside ±${max}`);
  }
  return Math.round(Math.abs(v) * COORD_SCALE);
}

function intIn(v: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} out of range ${min}..${max}`);
  }
  return v;
}

export function writeGps(w: Writer, g: Gt06Gps, ctx: Gt06Context): void {
  writeTime(w, g.time, ctx);
  w.u8((intIn(g.gpsInfoLength, 0, 15, 'gpsInfoLength') << 4) | intIn(g.satellites, 0, 15, 'satellites'));
  writeCoordinates(w, g);
  w.u8(intIn(g.speed, 0, 255, 'speed'));
  w.u16(courseStatusWord(g));
}

// ---------------------------------------------------------------------------------------------
// Cell blocks (§3.4)

/** '2g': LAC u16, CID u24. '4g': LAC u32, CID u64. 'wide' (0x11): MNC always u16, LAC u16, CID u32. */
export type Gt06CellFormat = '2g' | '4g' | 'wide';

export interface Gt06Cell {
  /** Mobile country code (MCC bits 0–14). */
  mcc: number;
  mnc: number;
  /** MCC bit 15: the MNC is sent as 2 bytes (D2 §10; always 2 bytes in the 'wide' layout). */
  mncTwoBytes: boolean;
  lac: number;
  /** Cell id. 4G ids are 8 bytes on the wire; values above 2^53 lose precision. */
  cellId: number;
}

/** Bytes of one cell block (MCC through CID) in a format. */
export function cellSize(format: Gt06CellFormat, mncTwoBytes: boolean): number {
  if (format === 'wide') return 10;
  const mnc = mncTwoBytes ? 2 : 1;
  return format === '4g' ? 2 + mnc + 4 + 8 : 2 + mnc + 2 + 3;
}

/** u64 as a number (exact below 2^53). */
function readU64(r: Reader): number {
  const hi = r.u32();
  return hi * 0x100000000 + r.u32();
}

function writeU64(w: Writer, v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v}`);
  w.u32(Math.floor(v / 0x100000000));
  w.u32(v % 0x100000000);
}

export function readMccMnc(r: Reader, format: Gt06CellFormat): { mcc: number; mnc: number; mncTwoBytes: boolean } {
  const m = r.u16();
  const mncTwoBytes = (m & 0x8000) !== 0;
  const mnc = mncTwoBytes || format === 'wide' ? r.u16() : r.u8();
  return { mcc: m & 0x7fff, mnc, mncTwoBytes };
}

export function writeMccMnc(
  w: Writer,
  c: { mcc: number; mnc: number; mncTwoBytes: boolean },
  format: Gt06CellFormat,
): void {
  w.u16(intIn(c.mcc, 0, 0x7fff, 'mcc') | (c.mncTwoBytes ? 0x8000 : 0));
  if (c.mncTwoBytes || format === 'wide') w.u16(c.mnc);
  else w.u8(c.mnc);
}

export function readLac(r: Reader, format: Gt06CellFormat): number {
  return format === '4g' ? r.u32() : r.u16();
}

export function readCellId(r: Reader, format: Gt06CellFormat): number {
  return format === '4g' ? readU64(r) : format === 'wide' ? r.u32() : r.u24();
}

export function writeLac(w: Writer, lac: number, format: Gt06CellFormat): void {
  if (format === '4g') w.u32(lac);
  else w.u16(lac);
}

export function writeCellId(w: Writer, cellId: number, format: Gt06CellFormat): void {
  if (format === '4g') writeU64(w, cellId, 'cellId');
  else if (format === 'wide') w.u32(cellId);
  else w.u24(cellId);
}

export function readCell(r: Reader, format: Gt06CellFormat): Gt06Cell {
  const b = r.buf;
  const p = r.pos;
  const m0 = r.end - p >= 2 ? (b[p]! << 8) | b[p + 1]! : 0;
  if (format === '2g' && r.end - p >= ((m0 & 0x8000) !== 0 ? 9 : 8)) {
    // The common block (MCC, MNC, LAC u16, CID u24) read in place, without a check per field.
    // (Too short: the field reads below throw the truncation error.)
    const two = (m0 & 0x8000) !== 0;
    const q = two ? p + 4 : p + 3;
    r.pos = q + 5;
    return {
      mcc: m0 & 0x7fff,
      mnc: two ? (b[p + 2]! << 8) | b[p + 3]! : b[p + 2]!,
      mncTwoBytes: two,
      lac: (b[q]! << 8) | b[q + 1]!,
      cellId: (b[q + 2]! << 16) | (b[q + 3]! << 8) | b[q + 4]!,
    };
  }
  const m = r.u16();
  const mncTwoBytes = (m & 0x8000) !== 0;
  const mnc = mncTwoBytes || format === 'wide' ? r.u16() : r.u8();
  const lac = format === '4g' ? r.u32() : r.u16();
  return { mcc: m & 0x7fff, mnc, mncTwoBytes, lac, cellId: readCellId(r, format) };
}

export function writeCell(w: Writer, c: Gt06Cell, format: Gt06CellFormat): void {
  writeMccMnc(w, c, format);
  writeLac(w, c.lac, format);
  writeCellId(w, c.cellId, format);
}

/** A neighbour-cell entry of the multi-cell messages (0x28, 0xA1, 0x2C ...). */
export interface Gt06CellEntry {
  lac: number;
  cellId: number;
  /** 0x00 weakest .. 0xFF strongest. */
  rssi: number;
}

// ---------------------------------------------------------------------------------------------
// LBS block with a length byte (alarm packets, §3.4 / §5.4)

export interface Gt06LbsBlock {
  cell: Gt06Cell | null;
  /** Present with `cell`. */
  cellFormat?: '2g' | '4g';
  /**
   * The LBS length byte as sent, present only when it is not "1 + cell size" (some firmware
   * leaves the length byte itself out of the count).
   */
  lbsLength?: number;
  /** LBS bytes kept raw: traccar's zeroed 45-byte block, or a size we do not recognise. */
  lbsRaw?: Buffer;
}

function isZero(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Whether `rest` bytes starting at `at` form a valid tail of the message after the LBS block. */
export type TailCheck = (rest: number, at: number) => boolean;

/**
 * Reads the LBS length byte and the cell block it announces. The byte counts itself (9 for 2G,
 * 16 / 17 for 4G); some firmware leaves itself out (8). Preference: a known cell size that
 * leaves a valid tail, then any size that leaves a valid tail (kept raw), then a known cell
 * size, then the announced bytes raw. Length 0 with zeros at offsets 9..44 is traccar's
 * "zeroed LBS" block of 45 bytes, kept raw.
 */
export function readLbsWithLength(r: Reader, tailOk: TailCheck): Gt06LbsBlock {
  const len = r.u8();
  const rest = r.remaining;
  const pos = r.pos;
  if (len === 0) {
    if (rest >= 45 && isZero(r.buf, pos + 9, pos + 45) && tailOk(rest - 45, pos + 45)) {
      return { cell: null, lbsLength: 0, lbsRaw: r.bytes(45) };
    }
    return { cell: null };
  }
  const two = rest >= 2 && (r.buf[pos]! & 0x80) !== 0;
  const size2g = cellSize('2g', two);
  const size4g = cellSize('4g', two);
  let raw = -1;
  for (let pass = 0; pass < 2; pass++) {
    for (let c = len - 1; c <= len; c++) {
      if (c > rest || (pass === 0 && !tailOk(rest - c, pos + c))) continue;
      const fmt = c === size2g ? '2g' : c === size4g ? '4g' : undefined;
      if (fmt) {
        const block: Gt06LbsBlock = { cell: readCell(r, fmt), cellFormat: fmt };
        if (c === len) block.lbsLength = len;
        return block;
      }
      if (pass === 0 && raw < 0) raw = c;
    }
    if (raw >= 0) break;
  }
  // Unknown size: keep the bytes raw (traccar skips them the same way).
  const c = raw >= 0 ? raw : Math.min(len - 1, rest);
  const block: Gt06LbsBlock = { cell: null, lbsRaw: r.bytes(c) };
  if (c !== len - 1) block.lbsLength = len;
  return block;
}

export function writeLbsWithLength(w: Writer, b: Gt06LbsBlock): void {
  if (b.cell) {
    if (!b.cellFormat) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'cellFormat is required with cell');
    const size = cellSize(b.cellFormat, b.cell.mncTwoBytes);
    w.u8(b.lbsLength ?? size + 1);
    writeCell(w, b.cell, b.cellFormat);
    return;
  }
  if (b.lbsRaw) {
    w.u8(b.lbsLength ?? b.lbsRaw.length + 1);
    w.bytes(b.lbsRaw);
    return;
  }
  w.u8(b.lbsLength ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Terminal information (§3.5), voltage (§3.6), GSM (§3.7), alarm/language (§3.8)

export interface Gt06TerminalInfo {
  /** Bit 7: oil / electricity cut (relay engaged). */
  fuelCut: boolean;
  /** Bit 6: GPS tracking on (positioned). */
  gpsTracking: boolean;
  /** Bits 5..3: the 3-bit alarm field (0 normal). */
  alarmStatus: number;
  /** Name of `alarmStatus`. */
  alarm: Gt06TerminalAlarm;
  /** Bit 2: charging / external power connected. */
  charging: boolean;
  /** Bit 1: ACC high (ignition on). */
  acc: boolean;
  /** Bit 0: defence armed. */
  armed: boolean;
}

export function decodeTerminalInfo(b: number): Gt06TerminalInfo {
  const alarmStatus = (b >> 3) & 0x07;
  return {
    fuelCut: (b & 0x80) !== 0,
    gpsTracking: (b & 0x40) !== 0,
    alarmStatus,
    alarm: TERMINAL_ALARMS[alarmStatus]!,
    charging: (b & 0x04) !== 0,
    acc: (b & 0x02) !== 0,
    armed: (b & 0x01) !== 0,
  };
}

export function encodeTerminalInfo(t: Gt06TerminalInfo): number {
  return (
    (t.fuelCut ? 0x80 : 0) |
    (t.gpsTracking ? 0x40 : 0) |
    (intIn(t.alarmStatus, 0, 7, 'alarmStatus') << 3) |
    (t.charging ? 0x04 : 0) |
    (t.acc ? 0x02 : 0) |
    (t.armed ? 0x01 : 0)
  );
}

/** Voltage level (§3.6) with its derived names. */
export interface Gt06Voltage {
  /** 0–6 level; 7–100 is a percentage on some firmware (traccar). */
  voltageLevel: number;
  /** Present for levels 0–6. */
  voltageLevelName?: Gt06VoltageLevel;
  /** Battery percentage: level × 100 / 6 for 0–6, the value itself for 7–100. */
  batteryPercent?: number;
}

export function voltageFields(level: number): Gt06Voltage {
  const v: Gt06Voltage = { voltageLevel: level };
  if (level <= 6) {
    v.voltageLevelName = VOLTAGE_LEVELS[level]!;
    v.batteryPercent = Math.round((level * 100) / 6);
  } else if (level <= 100) {
    v.batteryPercent = level;
  }
  return v;
}

export function gsmSignalName(b: number): Gt06GsmSignal | undefined {
  return GSM_SIGNALS[b];
}

/**
 * Status tail of the alarm packets (0x16 / 0x26 / 0x27 / 0xA4 / 0x19 / 0xA5): terminal info,
 * voltage level, GSM signal, alarm code, language. Names are derived from the codes; the
 * encoder uses the codes only.
 */
export interface Gt06AlarmStatus extends Gt06Voltage {
  terminalInfo: Gt06TerminalInfo;
  /** Some firmware sends the voltage level as 2 bytes (the status tail is then 6 bytes). */
  voltageWide?: true;
  gsmSignal: number;
  gsmSignalName?: Gt06GsmSignal;
  /** Byte 1 of the alarm/language word (§7). */
  alarmCode: number;
  /** Name of the alarm code (12-bit for 0x27 / 0xA4, §3.8) under the device profile; absent when unknown. */
  alarm?: Gt06AlarmName;
  /** Byte 2 of the alarm/language word, as sent. */
  language: number;
  languageName?: Gt06Language;
}

/**
 * @param extended12 0x27 / 0xA4: the high nibble of the language byte gives bits 8–11 of the
 *                   alarm code (§3.8).
 */
export function readAlarmStatus(
  r: Reader,
  ctx: Gt06Context,
  extended12: boolean,
  voltageWide = false,
): Gt06AlarmStatus {
  const terminalInfo = decodeTerminalInfo(r.u8());
  const level = voltageWide ? r.u16() : r.u8();
  const gsm = r.u8();
  const alarmCode = r.u8();
  const language = r.u8();
  return alarmStatusFields(terminalInfo, level, voltageWide, gsm, alarmCode, language, ctx, extended12);
}

export function alarmStatusFields(
  terminalInfo: Gt06TerminalInfo,
  level: number,
  voltageWide: boolean,
  gsm: number,
  alarmCode: number,
  language: number,
  ctx: Gt06Context,
  extended12: boolean,
): Gt06AlarmStatus {
  const s: Gt06AlarmStatus = { terminalInfo, ...voltageFields(level), gsmSignal: gsm, alarmCode, language };
  if (voltageWide) s.voltageWide = true;
  const gsmName = gsmSignalName(gsm);
  if (gsmName) s.gsmSignalName = gsmName;
  const code = extended12 ? alarmCode | ((language & 0xf0) << 4) : alarmCode;
  const name =
    alarmName(code, ctx.profile.alarms) ?? (code !== alarmCode ? alarmName(alarmCode, ctx.profile.alarms) : undefined);
  if (name) s.alarm = name;
  const lang = languageName(extended12 ? language & 0x0f : language);
  if (lang) s.languageName = lang;
  return s;
}

export function writeAlarmStatus(w: Writer, s: Gt06AlarmStatus): void {
  w.u8(encodeTerminalInfo(s.terminalInfo));
  if (s.voltageWide) w.u16(s.voltageLevel);
  else w.u8(s.voltageLevel);
  w.u8(s.gsmSignal).u8(s.alarmCode).u8(s.language);
}

/** Remaining bytes as an `extra` field (kept raw), or nothing. */
export function readExtra(r: Reader): Buffer | undefined {
  return r.remaining > 0 ? r.rest() : undefined;
}

/** Digits of a packed-BCD field with trailing `f` fillers removed (ICCID). */
export function bcdDigitsTrimF(buf: Buffer, start: number, end: number): string {
  const s = bcdToString(buf, start, end);
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 0x66) e--;
  return s.slice(0, e);
}

// ---------------------------------------------------------------------------------------------
// WiFi access points

export interface Gt06WifiAccessPoint {
  /** MAC address, lower-case hex pairs separated by colons. */
  mac: string;
  /** Signal strength byte as sent. */
  rssi: number;
}

export function readMac(r: Reader): string {
  const b = r.bytes(6);
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;

export function writeMac(w: Writer, mac: string): void {
  if (!MAC.test(mac)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `MAC address "${mac}"`);
  w.bytes(Buffer.from(mac.replace(/:/g, ''), 'hex'));
}
