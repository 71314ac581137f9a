import { defineMessage } from '../message.ts';

/**
 * 0x8805 Single stored multimedia item search/upload (P→T), acknowledged with 0x0001; the
 * terminal then sends the item as 0x0801. Same layout in 2013 / 2019 (not in 2011).
 *
 * | field       | type  | notes                                      |
 * |-------------|-------|--------------------------------------------|
 * | media id    | DWORD | > 0, as reported in 0x0800 / 0x0802         |
 * | delete flag | BYTE  | 0 keep, 1 delete after upload              |
 *
 * Layout: toggery `B8805Codec`.
 */
export interface SingleStoredMedia {
  mediaId: number;
  /** 0 keep, 1 delete after upload. */
  deleteFlag: number;
}

export const m8805 = defineMessage({
  msgId: 0x8805,
  type: 'single-stored-media',
  direction: 'down',
  decode(r): SingleStoredMedia {
    return { mediaId: r.u32(), deleteFlag: r.u8() };
  },
  encode(w, b: SingleStoredMedia) {
    w.u32(b.mediaId).u8(b.deleteFlag);
  },
});
