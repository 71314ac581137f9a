import { defineMessage } from '../message.ts';

/**
 * 0x0800 Multimedia event information upload (T→P), sent when the terminal captures media on its
 * own (an alarm, a timer, a door) before uploading it with 0x0801; answered with 0x8001.
 * Same layout in 2011 / 2013 / 2019 (SmallChi `JT808_0x0800.cs`, go-jt808 `t_0x0800.go`).
 *
 * | field        | type  | notes                                                      |
 * |--------------|-------|------------------------------------------------------------|
 * | media id     | DWORD | > 0                                                        |
 * | media type   | BYTE  | 0 image, 1 audio, 2 video                                  |
 * | media format | BYTE  | 0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV                         |
 * | event        | BYTE  | see `event`                                                |
 * | channel      | BYTE  | camera / microphone channel                                |
 */
export interface MultimediaEvent {
  /** Media id (> 0), repeated in the 0x0801 upload. */
  mediaId: number;
  /** 0 image, 1 audio, 2 video. */
  mediaType: number;
  /** 0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV. */
  mediaFormat: number;
  /**
   * What triggered it: 0 platform command, 1 timed action, 2 robbery alarm, 3 collision / rollover
   * alarm, 4 door opened, 5 door closed, 6 door went from open to closed and speed rose past
   * 20 km/h, 7 fixed-distance capture; others reserved.
   */
  event: number;
  /** Channel id. */
  channel: number;
}

export const m0800 = defineMessage({
  msgId: 0x0800,
  type: 'multimedia-event',
  direction: 'up',
  decode(r): MultimediaEvent {
    return { mediaId: r.u32(), mediaType: r.u8(), mediaFormat: r.u8(), event: r.u8(), channel: r.u8() };
  },
  encode(w, b: MultimediaEvent) {
    w.u32(b.mediaId).u8(b.mediaType).u8(b.mediaFormat).u8(b.event).u8(b.channel);
  },
});
