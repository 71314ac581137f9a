import { defineMessage } from '../message.ts';
import { writeAnyBytes } from './terminal-fields.ts';

/**
 * 0x0900 Uplink data pass-through (T→P); answered with 0x8001. Same layout in 2011 / 2013 / 2019
 * (SmallChi `JT808_0x0900.cs`; vendor payloads in traccar: OBD text, `GTSL|...`, TLV blocks).
 *
 * | field             | type | notes                                                                  |
 * |-------------------|------|------------------------------------------------------------------------|
 * | pass-through type | BYTE | 0x00 GNSS detailed positioning data, 0x0B road-transport IC card info, |
 * |                   |      | 0x41 serial port 1, 0x42 serial port 2, 0xF0–0xFF user-defined          |
 * | content           | rest | opaque                                                                  |
 */
export interface UplinkPassThrough {
  /** 0x00 GNSS detail, 0x0B IC card info, 0x41 / 0x42 serial port 1 / 2, 0xF0–0xFF user-defined. */
  passThroughType: number;
  /** Content as sent (a view into the frame). */
  data: Buffer;
}

export const m0900 = defineMessage({
  msgId: 0x0900,
  type: 'uplink-pass-through',
  direction: 'up',
  decode(r): UplinkPassThrough {
    return { passThroughType: r.u8(), data: r.rest() };
  },
  encode(w, b: UplinkPassThrough) {
    w.u8(b.passThroughType);
    writeAnyBytes(w, b.data, 'data');
  },
});
