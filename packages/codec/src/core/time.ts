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
/** Days from 1970-01-01 to 1 January of 2000 + i, for i in 0..99. */
const YEAR_START_DAYS = new Float64Array(100);
/** Days before the first of each month, non-leap and leap years. */
const MONTH_START_DAYS = [new Int32Array(12), new Int32Array(12)] as const;
{
  let days = 10957; // 1970-01-01 → 2000-01-01
  for (let i = 0; i < 100; i++) {
    YEAR_START_DAYS[i] = days;
    days += i % 4 === 0 ? 366 : 365;
  }
  for (let leap = 0; leap < 2; leap++) {
    let acc = 0;
    for (let m = 0; m < 12; m++) {
      MONTH_START_DAYS[leap]![m] = acc;
      acc += m === 1 && leap === 1 ? 29 : DAYS_IN_MONTH[m]!;
    }
  }
}

/**
 * Calendar fields (year 2000 + y, y in 0..99) in a zone `offsetMinutes` east of UTC → instant, or
 * null when the fields are not a real date-time. Integer arithmetic over tables: this runs for
 * every decoded position, and Date.UTC is measurably slower.
 */
function toDate(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  offsetMinutes: number,
): Date | null {
  if (y > 99 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  // Years are 2000 + YY (00–99): every year divisible by 4 in that range is a leap year, 2000 included.
  const leap = y % 4 === 0 ? 1 : 0;
  if (d > (leap === 1 && mo === 2 ? 29 : DAYS_IN_MONTH[mo - 1]!)) return null;
  const days = YEAR_START_DAYS[y]! + MONTH_START_DAYS[leap]![mo - 1]! + d - 1;
  return new Date(days * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 - offsetMinutes * 60_000);
}

/** Value of each byte read as two BCD digits (0x59 → 59), -1 when a nibble is not decimal. */
const BCD_VALUE = new Int8Array(256);
for (let b = 0; b < 256; b++) BCD_VALUE[b] = bcdByte(b);

/** BCD[6] YYMMDDhhmmss at `off`. */
export function readBcdTime(buf: Uint8Array, off: number, offsetMinutes: number): Date | null {
  // Table lookups: this runs for every JT/T 808 position. (`| 0`: a byte past the end reads as 0,
  // as bcdByte(undefined) did.)
  const y = BCD_VALUE[buf[off]! | 0]!;
  const mo = BCD_VALUE[buf[off + 1]! | 0]!;
  const d = BCD_VALUE[buf[off + 2]! | 0]!;
  const h = BCD_VALUE[buf[off + 3]! | 0]!;
  const mi = BCD_VALUE[buf[off + 4]! | 0]!;
  const s = BCD_VALUE[buf[off + 5]! | 0]!;
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
