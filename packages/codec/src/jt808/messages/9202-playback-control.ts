import { defineMessage } from '../message.ts';
import { writeAvTime } from './av-fields.ts';

/**
 * 0x9202 Remote recording playback control (P→T), acked with 0x0001.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9202.cs` and go-jt808
 * `p_0x9202.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field     | type   | notes                                                                           |
 * |-----------|--------|---------------------------------------------------------------------------------|
 * | channel   | BYTE   | logical channel                                                                 |
 * | control   | BYTE   | 0 start, 1 pause, 2 stop, 3 fast-forward, 4 key-frame rewind, 5 seek, 6 key-frame play |
 * | speed     | BYTE   | (controls 3, 4) 0 n/a, 1 ×1, 2 ×2, 3 ×4, 4 ×8, 5 ×16                            |
 * | seek time | BCD[6] | (control 5) position to seek to, wire time zone; otherwise usually zeros        |
 */
export interface PlaybackControl {
  /** Logical channel number. */
  channel: number;
  /** 0 start, 1 pause, 2 stop, 3 fast-forward, 4 key-frame rewind, 5 seek, 6 key-frame play. */
  control: number;
  /** Fast-forward / rewind factor code (controls 3 and 4): 0 n/a, 1 ×1, 2 ×2, 3 ×4, 4 ×8, 5 ×16. */
  speed: number;
  /** Seek position (control 5); null = all zeros. */
  seekTime: Date | null;
}

export const m9202 = defineMessage({
  msgId: 0x9202,
  type: 'playback-control',
  direction: 'down',
  decode(r, ctx): PlaybackControl {
    return { channel: r.u8(), control: r.u8(), speed: r.u8(), seekTime: r.bcdTime(ctx.timeOffsetMinutes) };
  },
  encode(w, b: PlaybackControl, ctx) {
    w.u8(b.channel).u8(b.control).u8(b.speed);
    writeAvTime(w, b.seekTime, ctx, 'seekTime');
  },
});
