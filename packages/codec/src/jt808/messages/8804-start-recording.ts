import { defineMessage } from '../message.ts';

/**
 * 0x8804 Start sound recording (P→T), acknowledged with 0x0001. Same layout in
 * 2011 / 2013 / 2019.
 *
 * | field       | type | notes                                       |
 * |-------------|------|---------------------------------------------|
 * | command     | BYTE | 0 stop, 1 start                             |
 * | duration    | WORD | recording time, s; 0 = until stopped        |
 * | save flag   | BYTE | 0 upload in real time, 1 save               |
 * | sample rate | BYTE | 0 8 kHz, 1 11 kHz, 2 23 kHz, 3 32 kHz       |
 *
 * Layout: toggery `B8804Codec`.
 */
export interface StartRecording {
  /** 0 stop, 1 start. */
  command: number;
  /** Seconds; 0 = until stopped. */
  duration: number;
  /** 0 upload in real time, 1 save. */
  saveFlag: number;
  /** 0 8 kHz, 1 11 kHz, 2 23 kHz, 3 32 kHz. */
  sampleRate: number;
}

export const m8804 = defineMessage({
  msgId: 0x8804,
  type: 'start-recording',
  direction: 'down',
  decode(r): StartRecording {
    return { command: r.u8(), duration: r.u16(), saveFlag: r.u8(), sampleRate: r.u8() };
  },
  encode(w, b: StartRecording) {
    w.u8(b.command).u16(b.duration).u8(b.saveFlag).u8(b.sampleRate);
  },
});
