import { CodecError } from '../errors.ts';
import { bcdByte } from './bcd.ts';

/**
 * Date-time fields. Decoders return a `Date` (an instant) or `null` when the field is
 * all zeros or not a valid calendar date; encoders write `null` as all zeros.
 * The wire's local time zone is a parameter (`offsetMinutes`): JT/T 808 BCD times are
 * GMT+8 by default (JT/T 808 §4.4 "BCD[6] YY-MM-DD-hh-mm-ss, GMT+8"), Jimi times are UTC
 * on the current models.
 */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function toDate(y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMinutes: number): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  // Years are 2000 + YY (00–99): every year divisible by 4 in that range is a leap year, 2000 included.
  const dim = mo === 2 && y % 4 === 0 ? 29 : DAYS_IN_MONTH[mo - 1]!;
  if (d > dim) return null;
  return new Date(Date.UTC(2000 + y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000);
}

/** BCD[6] YYMMDDhhmmss at `off`. */
export function readBcdTime(buf: Uint8Array, off: number, offsetMinutes: number): Date | null {
  const y = bcdByte(buf[off]!);
  const mo = bcdByte(buf[off + 1]!);
  const d = bcdByte(buf[off + 2]!);
  const h = bcdByte(buf[off + 3]!);
  const mi = bcdByte(buf[off + 4]!);
  const s = bcdByte(buf[off + 5]!);
  if ((y | mo | d | h | mi | s) < 0) return null;
  return toDate(y, mo, d, h, mi, s, offsetMinutes);
}

/** Binary YY MM DD hh mm ss (one byte each) at `off` (Jimi/GT06). */
export function readBinaryTime(buf: Uint8Array, off: number, offsetMinutes: number): Date | null {
  return toDate(buf[off]!, buf[off + 1]!, buf[off + 2]!, buf[off + 3]!, buf[off + 4]!, buf[off + 5]!, offsetMinutes);
}

function fields(date: Date, offsetMinutes: number): number[] {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'invalid Date');
  const local = new Date(t + offsetMinutes * 60_000);
  const y = local.getUTCFullYear() - 2000;
  if (y < 0 || y > 99) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `year ${y + 2000} outside 2000..2099`);
  return [
    y,
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
  ];
}

export function writeBcdTime(out: Uint8Array, off: number, date: Date | null, offsetMinutes: number): void {
  if (date === null) {
    out.fill(0, off, off + 6);
    return;
  }
  const f = fields(date, offsetMinutes);
  for (let i = 0; i < 6; i++) {
    const v = f[i]!;
    out[off + i] = (Math.floor(v / 10) << 4) | (v % 10);
  }
}

export function writeBinaryTime(out: Uint8Array, off: number, date: Date | null, offsetMinutes: number): void {
  if (date === null) {
    out.fill(0, off, off + 6);
    return;
  }
  const f = fields(date, offsetMinutes);
  for (let i = 0; i < 6; i++) out[off + i] = f[i]!;
}
