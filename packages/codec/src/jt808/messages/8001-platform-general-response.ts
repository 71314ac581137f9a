import { defineMessage } from '../message.ts';

/**
 * 0x8001 Platform general response (P→T). Same layout in 2011 / 2013 / 2019.
 *
 * | field            | type | notes                                                                 |
 * |------------------|------|-----------------------------------------------------------------------|
 * | reply serial     | WORD | serial of the terminal message answered                               |
 * | reply message id | WORD | id of the terminal message answered                                   |
 * | result           | BYTE | 0 ok, 1 failure, 2 message error, 3 unsupported, 4 alarm confirmed    |
 */
export interface PlatformGeneralResponse {
  replySerial: number;
  replyMsgId: number;
  result: number;
}

export const PlatformResult = { ok: 0, failure: 1, messageError: 2, unsupported: 3, alarmConfirmed: 4 } as const;

export const m8001 = defineMessage({
  msgId: 0x8001,
  type: 'platform-general-response',
  direction: 'down',
  decode(r): PlatformGeneralResponse {
    return { replySerial: r.u16(), replyMsgId: r.u16(), result: r.u8() };
  },
  encode(w, b: PlatformGeneralResponse) {
    w.u16(b.replySerial).u16(b.replyMsgId).u8(b.result);
  },
});
