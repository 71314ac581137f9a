import { defineMessage } from '../message.ts';

/**
 * 0x9102 Real-time audio/video transmission control (P→T), acked with 0x0001.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9102.cs` and go-jt808
 * `p_0x9102.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field       | type | notes                                                                     |
 * |-------------|------|---------------------------------------------------------------------------|
 * | channel     | BYTE | logical channel                                                           |
 * | command     | BYTE | 0 close, 1 switch stream, 2 pause all streams, 3 resume, 4 close two-way talk |
 * | close type  | BYTE | (command 0) 0 close audio+video, 1 audio only, 2 video only               |
 * | stream type | BYTE | (command 1) new stream: 0 main, 1 sub                                     |
 */
export interface LiveAvControl {
  /** Logical channel number. */
  channel: number;
  /** 0 close transmission, 1 switch stream, 2 pause all streams, 3 resume, 4 close two-way talk. */
  command: number;
  /** What to close (command 0): 0 audio and video, 1 audio only, 2 video only. */
  closeType: number;
  /** Stream to switch to (command 1): 0 main, 1 sub. */
  streamType: number;
}

export const m9102 = defineMessage({
  msgId: 0x9102,
  type: 'live-av-control',
  direction: 'down',
  decode(r): LiveAvControl {
    return { channel: r.u8(), command: r.u8(), closeType: r.u8(), streamType: r.u8() };
  },
  encode(w, b: LiveAvControl) {
    w.u8(b.channel).u8(b.command).u8(b.closeType).u8(b.streamType);
  },
});
