import { defineMessage } from '../message.ts';
import { writeAvTime } from './av-fields.ts';

/**
 * 0x1005 Terminal uploads passenger flow (T→P), acked with 0x8001.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x1005.cs` and go-jt808
 * `t_0x1005.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field      | type   | notes                                         |
 * |------------|--------|-----------------------------------------------|
 * | start time | BCD[6] | YYMMDDhhmmss, wire time zone                  |
 * | end time   | BCD[6] | YYMMDDhhmmss, wire time zone                  |
 * | boarding   | WORD   | passengers who got on between start and end   |
 * | alighting  | WORD   | passengers who got off between start and end  |
 */
export interface PassengerFlow {
  /** Start of the counting period; null when zero or not a valid date. */
  startTime: Date | null;
  /** End of the counting period; null when zero or not a valid date. */
  endTime: Date | null;
  /** Passengers boarding in the period. */
  boarding: number;
  /** Passengers alighting in the period. */
  alighting: number;
}

export const m1005 = defineMessage({
  msgId: 0x1005,
  type: 'passenger-flow',
  direction: 'up',
  decode(r, ctx): PassengerFlow {
    return {
      startTime: r.bcdTime(ctx.timeOffsetMinutes),
      endTime: r.bcdTime(ctx.timeOffsetMinutes),
      boarding: r.u16(),
      alighting: r.u16(),
    };
  },
  encode(w, b: PassengerFlow, ctx) {
    writeAvTime(w, b.startTime, ctx, 'startTime');
    writeAvTime(w, b.endTime, ctx, 'endTime');
    w.u16(b.boarding).u16(b.alighting);
  },
});
