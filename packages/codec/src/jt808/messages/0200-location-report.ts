import { type LocationReport, readLocationReport, writeLocationReport } from '../location/report.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0200 Location report (T→P), answered with 0x8001. protocols/jt808-jt1078.md §6.
 *
 * | off | type   | field                                                        |
 * |-----|--------|--------------------------------------------------------------|
 * | 0   | DWORD  | alarm flags (location/alarm-bits.ts)                         |
 * | 4   | DWORD  | status flags (location/status-bits.ts)                       |
 * | 8   | DWORD  | latitude 1e-6°, unsigned; south if status bit 2              |
 * | 12  | DWORD  | longitude 1e-6°, unsigned; west if status bit 3              |
 * | 16  | WORD   | altitude, m                                                  |
 * | 18  | WORD   | speed, 1/10 km/h                                             |
 * | 20  | WORD   | direction 0–359°                                             |
 * | 22  | BCD[6] | time YYMMDDhhmmss, GMT+8                                     |
 * | 28  | …      | additional items: id BYTE, length BYTE, value (location/items.ts) |
 *
 * 2011 / 2013 / 2019: same block. 2019 names alarm bits 15–17 and status bits 6, 7, 22, and adds
 * items 0x05 (tyre pressure) and 0x06 (compartment temperature); decoding does not depend on the
 * edition. A bad item becomes an error entry, junk after the items is kept as `trailing`.
 */
export type LocationReportBody = LocationReport;

export const m0200 = defineMessage({
  msgId: 0x0200,
  type: 'location-report',
  direction: 'up',
  decode(r, ctx): LocationReportBody {
    return readLocationReport(r, ctx);
  },
  encode(w, b: LocationReportBody, ctx) {
    writeLocationReport(w, b, ctx);
  },
});
