import { defineMessage } from '../message.ts';

/**
 * 0x8803 Stored multimedia data upload (P→T), acknowledged with 0x0001; the terminal then
 * sends the items as 0x0801. Same layout in 2011 / 2013 / 2019.
 *
 * | field       | type   | notes                                                  |
 * |-------------|--------|--------------------------------------------------------|
 * | media type  | BYTE   | 0 image, 1 audio, 2 video                              |
 * | channel     | BYTE   | 0 = every channel                                      |
 * | event       | BYTE   | 0 platform command, 1 timed, 2 robbery alarm, 3 collision/rollover, ... |
 * | start time  | BCD[6] | YYMMDDhhmmss, wire time zone (GMT+8); zero = no bound  |
 * | end time    | BCD[6] | as start time                                          |
 * | delete flag | BYTE   | 0 keep, 1 delete after upload                          |
 *
 * Layout: toggery `B8803Codec`.
 */
export interface StoredMediaUpload {
  mediaType: number;
  channel: number;
  event: number;
  startTime: Date | null;
  endTime: Date | null;
  /** 0 keep, 1 delete after upload. */
  deleteFlag: number;
}

export const m8803 = defineMessage({
  msgId: 0x8803,
  type: 'stored-media-upload',
  direction: 'down',
  decode(r, ctx): StoredMediaUpload {
    return {
      mediaType: r.u8(),
      channel: r.u8(),
      event: r.u8(),
      startTime: r.bcdTime(ctx.timeOffsetMinutes),
      endTime: r.bcdTime(ctx.timeOffsetMinutes),
      deleteFlag: r.u8(),
    };
  },
  encode(w, b: StoredMediaUpload, ctx) {
    w.u8(b.mediaType).u8(b.channel).u8(b.event);
    w.bcdTime(b.startTime, ctx.timeOffsetMinutes).bcdTime(b.endTime, ctx.timeOffsetMinutes);
    w.u8(b.deleteFlag);
  },
});
