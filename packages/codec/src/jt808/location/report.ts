import type { Reader } from '../../core/reader.ts';
import { readBcdTime } from '../../core/time.ts';
import type { Writer } from '../../core/writer.ts';
import type { Jt808Context } from '../message.ts';
import { alarmNames, type Jt808AlarmName } from './alarm-bits.ts';
import {
  BASIC_LOCATION_LENGTH,
  type BasicLocation,
  int32Degrees,
  signedDegrees,
  u32at,
  writeBasicLocation,
} from './basic.ts';
import {
  type LocationItem,
  type LocationTrailing,
  readLocationItems,
  trailingItems,
  writeLocationItems,
} from './items.ts';

/**
 * A complete 0x0200 body: the 28-byte basic block (basic.ts) followed by additional items
 * (items.ts) to the end of the body. Also the payload of 0x0201, 0x0500 and each 0x0704 entry.
 */
export interface LocationReport extends BasicLocation {
  /**
   * Names of the alarm bits set in `alarm` (alarm-bits.ts), lowest first; a shared frozen
   * array when none. Derived: the encoder writes `alarm` and ignores this field.
   */
  alarms: readonly Jt808AlarmName[];
  /** Additional items in wire order. */
  items: LocationItem[];
  /** Bytes after the last complete item (a partial TLV, padding), kept and reported. */
  trailing?: LocationTrailing;
}

/** Reads a report from `r.pos` to `r.end` (consumes everything). Throws only when < 28 bytes. */
export function readLocationReport(r: Reader, ctx: Jt808Context): LocationReport {
  r.need(BASIC_LOCATION_LENGTH);
  const b = r.buf;
  const p = r.pos;
  const end = r.end;
  const alarm = u32at(b, p);
  const status = u32at(b, p + 4);
  const lat = u32at(b, p + 8);
  const lon = u32at(b, p + 12);
  // Vendor int32 coordinates (basic.ts header): a DWORD above 0x7fffffff is never a magnitude.
  const signed = lat > 0x7fffffff || lon > 0x7fffffff;
  const items: LocationItem[] = [];
  const report: LocationReport = {
    alarm,
    status,
    latitude: signed ? int32Degrees(lat) : signedDegrees(lat, status & 0x4),
    longitude: signed ? int32Degrees(lon) : signedDegrees(lon, status & 0x8),
    altitude: (b[p + 16]! << 8) | b[p + 17]!,
    speed: ((b[p + 18]! << 8) | b[p + 19]!) / 10,
    course: (b[p + 20]! << 8) | b[p + 21]!,
    time: readBcdTime(b, p + 22, ctx.timeOffsetMinutes),
    alarms: alarmNames(alarm),
    items,
  };
  if (signed) report.signedCoordinates = true;
  const stop = readLocationItems(b, p + BASIC_LOCATION_LENGTH, end, ctx, items);
  // JT/T 808 §6.4 (reference, last paragraph): junk after the items never fails the report.
  if (stop < end) report.trailing = trailingItems(b, stop, end);
  r.pos = end;
  return report;
}

export function writeLocationReport(w: Writer, report: LocationReport, ctx: Jt808Context): void {
  writeBasicLocation(w, report, ctx);
  writeLocationItems(w, report.items, ctx);
  if (report.trailing) w.bytes(report.trailing.raw);
}
