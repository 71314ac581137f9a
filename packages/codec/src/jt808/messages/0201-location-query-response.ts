import { type LocationReport, readLocationReport, writeLocationReport } from '../location/report.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0201 Location query response (T→P), the answer to 0x8201; no reply. Same in 2011 / 2013 / 2019.
 *
 * | field        | type | notes                                           |
 * |--------------|------|-------------------------------------------------|
 * | reply serial | WORD | serial of the 0x8201 answered                   |
 * | location     | …    | a complete 0x0200 body (basic block + items)    |
 */
export interface LocationQueryResponse {
  replySerial: number;
  location: LocationReport;
}

export const m0201 = defineMessage({
  msgId: 0x0201,
  type: 'location-query-response',
  direction: 'up',
  decode(r, ctx): LocationQueryResponse {
    const replySerial = r.u16();
    return { replySerial, location: readLocationReport(r, ctx) };
  },
  encode(w, b: LocationQueryResponse, ctx) {
    w.u16(b.replySerial);
    writeLocationReport(w, b.location, ctx);
  },
});
