import { defineMessage } from '../message.ts';

/**
 * 0x8802 Stored multimedia data search (P→T), answered with 0x0802. Same layout in
 * 2011 / 2013 / 2019.
 *
 * | field      | type   | notes                                                       |
 * |------------|--------|-------------------------------------------------------------|
 * | media type | BYTE   | 0 image, 1 audio, 2 video                                   |
 * | channel    | BYTE   | 0 = every channel                                           |
 * | event      | BYTE   | 0 platform command, 1 timed, 2 robbery alarm, 3 collision/rollover, ... |
 * | start time | BCD[6] | YYMMDDhhmmss, wire time zone (GMT+8); all zero = no bound   |
 * | end time   | BCD[6] | as start time                                               |
 *
 * Layout: toggery `B8802Codec` ("all zero times = no time range").
 */
export interface StoredMediaSearch {
  mediaType: number;
  channel: number;
  event: number;
  /** null when all zero (no lower bound) or invalid. */
  startTime: Date | null;
  /** null when all zero (no upper bound) or invalid. */
  endTime: Date | null;
}

export const m8802 = defineMessage({
  msgId: 0x8802,
  type: 'stored-media-search',
  direction: 'down',
  decode(r, ctx): StoredMediaSearch {
    return {
      mediaType: r.u8(),
      channel: r.u8(),
      event: r.u8(),
      startTime: r.bcdTime(ctx.timeOffsetMinutes),
      endTime: r.bcdTime(ctx.timeOffsetMinutes),
    };
  },
  encode(w, b: StoredMediaSearch, ctx) {
    w.u8(b.mediaType).u8(b.channel).u8(b.event);
    w.bcdTime(b.startTime, ctx.timeOffsetMinutes).bcdTime(b.endTime, ctx.timeOffsetMinutes);
  },
});
