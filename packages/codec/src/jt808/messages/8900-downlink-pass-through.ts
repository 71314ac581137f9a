import { defineMessage } from '../message.ts';

/**
 * 0x8900 Downlink data pass-through (P→T), acknowledged with 0x0001. Same layout in
 * 2011 / 2013 / 2019.
 *
 * | field             | type    | notes                                                        |
 * |-------------------|---------|--------------------------------------------------------------|
 * | pass-through type | BYTE    | 0x00 GNSS detail, 0x0B IC card, 0x41/0x42 serial 1/2, 0xF0–0xFF user |
 * | data              | BYTE[n] | to the end of the body, kept raw                             |
 */
export interface DownlinkPassThrough {
  passThroughType: number;
  /** View of the payload bytes. */
  data: Buffer;
}

export const m8900 = defineMessage({
  msgId: 0x8900,
  type: 'downlink-pass-through',
  direction: 'down',
  decode(r): DownlinkPassThrough {
    return { passThroughType: r.u8(), data: r.rest() };
  },
  encode(w, b: DownlinkPassThrough) {
    w.u8(b.passThroughType).bytes(b.data);
  },
});
