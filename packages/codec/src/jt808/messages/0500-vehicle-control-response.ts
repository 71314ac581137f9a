import { type LocationReport, readLocationReport, writeLocationReport } from '../location/report.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0500 Vehicle control response (T→P), the answer to 0x8500 (door lock / 2019 control items).
 * Same layout in 2011 / 2013 / 2019 (only the 0x8500 request changed in 2019).
 *
 * | field        | type | notes                                                          |
 * |--------------|------|----------------------------------------------------------------|
 * | reply serial | WORD | serial of the 0x8500 answered                                  |
 * | location     | …    | a complete 0x0200 body; the status word shows the result       |
 */
export interface VehicleControlResponse {
  replySerial: number;
  location: LocationReport;
}

export const m0500 = defineMessage({
  msgId: 0x0500,
  type: 'vehicle-control-response',
  direction: 'up',
  decode(r, ctx): VehicleControlResponse {
    const replySerial = r.u16();
    return { replySerial, location: readLocationReport(r, ctx) };
  },
  encode(w, b: VehicleControlResponse, ctx) {
    w.u16(b.replySerial);
    writeLocationReport(w, b.location, ctx);
  },
});
