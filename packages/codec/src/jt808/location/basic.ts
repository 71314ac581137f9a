import type { Reader } from '../../core/reader.ts';
import { readBcdTime } from '../../core/time.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import type { Jt808Context } from '../message.ts';

/**
 * JT/T 808 basic location block, 28 bytes (protocols/jt808-jt1078.md §6.1). Same layout in
 * 2011 / 2013 / 2019. Starts every 0x0200 body (then additional items) and sits inside 0x0801.
 *
 * | off | type   | field                                                          |
 * |-----|--------|----------------------------------------------------------------|
 * | 0   | DWORD  | alarm flags (§6.2)                                             |
 * | 4   | DWORD  | status flags (§6.3); bit 2 south, bit 3 west                   |
 * | 8   | DWORD  | latitude, 1e-6 degree, unsigned                                |
 * | 12  | DWORD  | longitude, 1e-6 degree, unsigned                               |
 * | 16  | WORD   | altitude, m                                                    |
 * | 18  | WORD   | speed, 1/10 km/h                                               |
 * | 20  | WORD   | direction 0–359, 0 = north, clockwise                          |
 * | 22  | BCD[6] | time YYMMDDhhmmss, GMT+8 (ctx.timeOffsetMinutes)               |
 *
 * Vendor deviation, signed coordinates: some terminals (and SmallChi's serializer,
 * `JT808_0x0200Test.LatLngTest*` / `LatTest*` / `LngTest*`: `FF4580F2` = −12.222222°) write the
 * latitude / longitude DWORD as a two's-complement int32 instead of the unsigned magnitude. An
 * unsigned value is at most 90e6 / 180e6, so a DWORD ≥ 0x80000000 can only be that form: when
 * either coordinate has one, both are read as int32, the sign is the value's and the status
 * bits 2/3 are kept in `status` as sent but not applied (SmallChi reads `Lat` as `int`; its
 * frames have the bits both set and clear). The block is then marked `signedCoordinates: true`,
 * and the encoder writes int32 values again with `status` exactly as given, so the bytes
 * re-encode unchanged. Without the mark (the default, and every standard frame) the spec form
 * is used: unsigned magnitudes, hemisphere from status bits 2/3.
 */
export interface BasicLocation {
  /** Alarm flag word as sent (see alarm-bits.ts). */
  alarm: number;
  /**
   * Status flag word as sent (see status-bits.ts). It is the source of truth for the
   * south/west bits: a latitude of 0 with bit 2 set keeps the bit.
   */
  status: number;
  /** Signed degrees (negative = south, status bit 2). */
  latitude: number;
  /** Signed degrees (negative = west, status bit 3). */
  longitude: number;
  /** Metres above sea level (WORD, unsigned). */
  altitude: number;
  /** km/h (wire: 1/10 km/h). */
  speed: number;
  /** Degrees 0–359 clockwise from north. */
  course: number;
  /** Fix time; null when the BCD field is zero or not a valid date. */
  time: Date | null;
  /**
   * Vendor deviation (see the header): the coordinates are two's-complement int32 on the wire.
   * Present only when decoded from such a block (a coordinate DWORD ≥ 0x80000000); the encoder
   * then writes both coordinates as int32 and `status` as given (hemisphere bits untouched).
   */
  signedCoordinates?: true;
}

export const BASIC_LOCATION_LENGTH = 28;

/** Status bit 2: south latitude. */
export const STATUS_SOUTH = 0x4;
/** Status bit 3: west longitude. */
export const STATUS_WEST = 0x8;
const SOUTH = STATUS_SOUTH;
const WEST = STATUS_WEST;
/** Largest int32; a coordinate DWORD above it marks the signed (vendor) form. */
const INT32_MAX = 0x7fffffff;

export function readBasicLocation(r: Reader, ctx: Jt808Context): BasicLocation {
  r.need(BASIC_LOCATION_LENGTH);
  const b = r.buf;
  const p = r.pos;
  r.pos = p + BASIC_LOCATION_LENGTH;
  const status = u32at(b, p + 4);
  const lat = u32at(b, p + 8);
  const lon = u32at(b, p + 12);
  const signed = lat > INT32_MAX || lon > INT32_MAX;
  const loc: BasicLocation = {
    alarm: u32at(b, p),
    status,
    latitude: signed ? int32Degrees(lat) : signedDegrees(lat, status & SOUTH),
    longitude: signed ? int32Degrees(lon) : signedDegrees(lon, status & WEST),
    altitude: (b[p + 16]! << 8) | b[p + 17]!,
    speed: ((b[p + 18]! << 8) | b[p + 19]!) / 10,
    course: (b[p + 20]! << 8) | b[p + 21]!,
    time: readBcdTime(b, p + 22, ctx.timeOffsetMinutes),
  };
  if (signed) loc.signedCoordinates = true;
  return loc;
}

/** Big-endian DWORD at `o` (the caller has checked the bounds); integer operations only. */
export function u32at(b: Buffer, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * Degrees from the unsigned 1e-6 magnitude and the hemisphere bit. A zero magnitude is +0 (never
 * -0) whatever the bit says; the bit survives in the status word.
 */
export function signedDegrees(magnitude: number, negativeBit: number): number {
  if (magnitude === 0) return 0;
  return negativeBit !== 0 ? -magnitude / 1e6 : magnitude / 1e6;
}

/** Degrees from a coordinate DWORD read as two's-complement int32 (the signed vendor form). */
export function int32Degrees(dword: number): number {
  return (dword | 0) / 1e6;
}

function scaled(v: number, scale: number, what: string): number {
  if (!Number.isFinite(v)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} is not finite`);
  return Math.round(Math.abs(v) * scale);
}

/** `v` degrees as a signed count of 1e-6 degree, for the int32 (vendor) form. */
function signedScaled(v: number, what: string): number {
  if (!Number.isFinite(v)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} is not finite`);
  return Math.round(v * 1e6);
}

/**
 * Writes the 28-byte block. Standard form: the hemisphere bits of `status` follow the sign of
 * latitude and longitude when those are non-zero (negative sets, positive clears); at exactly 0
 * the bits of `status` are written as given, so decode(encode(x)) == x for every decoded x.
 * With `signedCoordinates: true` (vendor form, see the header) the coordinates are written as
 * two's-complement int32 and `status` exactly as given. The mark only survives a round trip
 * when a coordinate is negative: without one the bytes read back as the standard form (with
 * any hemisphere bit left in `status` applied).
 */
export function writeBasicLocation(w: Writer, loc: BasicLocation, ctx: Jt808Context): void {
  let status = loc.status;
  if (!Number.isInteger(status) || status < 0 || status > 0xffffffff)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `status ${status} out of range`);
  if (loc.speed < 0) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `speed ${loc.speed} is negative`);
  w.u32(loc.alarm);
  if (loc.signedCoordinates === true) {
    w.u32(status).i32(signedScaled(loc.latitude, 'latitude')).i32(signedScaled(loc.longitude, 'longitude'));
  } else {
    if (loc.latitude < 0) status |= SOUTH;
    else if (loc.latitude > 0) status &= ~SOUTH;
    if (loc.longitude < 0) status |= WEST;
    else if (loc.longitude > 0) status &= ~WEST;
    w.u32(status >>> 0)
      .u32(scaled(loc.latitude, 1e6, 'latitude'))
      .u32(scaled(loc.longitude, 1e6, 'longitude'));
  }
  w.u16(loc.altitude)
    .u16(scaled(loc.speed, 10, 'speed'))
    .u16(loc.course)
    .bcdTime(loc.time, ctx.timeOffsetMinutes);
}
