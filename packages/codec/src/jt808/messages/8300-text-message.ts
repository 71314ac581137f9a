import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8300 Text message (P→T), acknowledged with 0x0001.
 *
 * | field     | 2011 / 2013 | 2019   | notes                                         |
 * |-----------|-------------|--------|-----------------------------------------------|
 * | flag      | BYTE        | BYTE   | bit meanings below                             |
 * | text type | –           | BYTE   | JT/T 808-2019 addition: 1 notice, 2 service    |
 * | text      | STRING      | STRING | GBK, to the end of the body, ≤ 1024 bytes      |
 *
 * Flag, 2013: bit0 urgent, bit2 terminal display, bit3 TTS read-out, bit4 advertising
 * screen, bit5 0 navigation info / 1 CAN fault code. 2019: bits 0–1 01 service, 10 urgent,
 * 11 notice; bit2 display; bit3 TTS; bit4 reserved; bit5 as 2013.
 * Layout: SmallChi `JT808_0x8300.cs`, toggery `B8300Codec` (text type when version 2019).
 */
export interface TextMessage {
  flag: number;
  /** JT/T 808-2019 only: 1 notice, 2 service. Absent in 2011/2013 bodies. */
  textType?: number;
  text: string;
}

export const TextFlag = { urgent: 0x01, display: 0x04, tts: 0x08, advertScreen: 0x10, canFaultCode: 0x20 } as const;

export const m8300 = defineMessage({
  msgId: 0x8300,
  type: 'text-message',
  direction: 'down',
  decode(r, ctx): TextMessage {
    const flag = r.u8();
    if (ctx.version === 2019) {
      const textType = r.u8(); // JT/T 808-2019: text type after the flag
      return { flag, textType, text: r.restString() };
    }
    return { flag, text: r.restString() };
  },
  encode(w, b: TextMessage, ctx) {
    if (ctx.version === 2019 && b.textType === undefined) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'a 2019 text message needs textType (1 notice, 2 service)');
    }
    if (ctx.version !== 2019 && b.textType !== undefined) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'textType exists only in JT/T 808-2019');
    }
    w.u8(b.flag);
    if (b.textType !== undefined) w.u8(b.textType);
    w.string(b.text);
  },
});
