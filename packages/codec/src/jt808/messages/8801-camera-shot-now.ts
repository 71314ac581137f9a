import { defineMessage } from '../message.ts';

/**
 * 0x8801 Camera shoot now (P→T), answered with 0x0805. Same layout in 2011 / 2013 / 2019.
 *
 * | field      | type | notes                                                                 |
 * |------------|------|-----------------------------------------------------------------------|
 * | channel    | BYTE | camera channel id, > 0                                                |
 * | command    | WORD | 0 stop, 0xFFFF record video, otherwise number of photos               |
 * | interval   | WORD | photo interval / recording time, s; 0 = shortest interval / until stopped |
 * | save flag  | BYTE | 1 save on the terminal, 0 upload in real time                         |
 * | resolution | BYTE | 1 320×240, 2 640×480, 3 800×600, 4 1024×768, 5 176×144 QCIF, 6 352×288 CIF, 7 704×288 HALF D1, 8 704×576 D1 |
 * | quality    | BYTE | 1–10, 1 = best                                                        |
 * | brightness | BYTE | 0–255                                                                 |
 * | contrast   | BYTE | 0–127                                                                 |
 * | saturation | BYTE | 0–127                                                                 |
 * | chroma     | BYTE | 0–255                                                                 |
 *
 * Layout: go-jt808 `P0x8801`, toggery `B8801Codec` (identical for every version).
 */
export interface CameraShotNow {
  channel: number;
  /** 0 stop, 0xFFFF record video, n = take n photos. */
  command: number;
  /** Seconds between photos, or recording time; 0 = shortest / until stopped. */
  interval: number;
  /** 1 save locally, 0 upload in real time. */
  saveFlag: number;
  resolution: number;
  /** 1–10, 1 best. */
  quality: number;
  brightness: number;
  contrast: number;
  saturation: number;
  chroma: number;
}

export const m8801 = defineMessage({
  msgId: 0x8801,
  type: 'camera-shot-now',
  direction: 'down',
  decode(r): CameraShotNow {
    return {
      channel: r.u8(),
      command: r.u16(),
      interval: r.u16(),
      saveFlag: r.u8(),
      resolution: r.u8(),
      quality: r.u8(),
      brightness: r.u8(),
      contrast: r.u8(),
      saturation: r.u8(),
      chroma: r.u8(),
    };
  },
  encode(w, b: CameraShotNow) {
    w.u8(b.channel).u16(b.command).u16(b.interval).u8(b.saveFlag).u8(b.resolution).u8(b.quality);
    w.u8(b.brightness).u8(b.contrast).u8(b.saturation).u8(b.chroma);
  },
});
