import { defineMessage } from '../message.ts';

/**
 * 0x0001 Terminal general response (T→P). Same layout in 2011 / 2013 / 2019.
 *
 * | field            | type | notes                                            |
 * |------------------|------|--------------------------------------------------|
 * | reply serial     | WORD | serial of the platform message answered          |
 * | reply message id | WORD | id of the platform message answered              |
 * | result           | BYTE | 0 ok, 1 failure, 2 message error, 3 unsupported  |
 */
export interface TerminalGeneralResponse {
  replySerial: number;
  replyMsgId: number;
  result: number;
}

export const TerminalResult = { ok: 0, failure: 1, messageError: 2, unsupported: 3 } as const;

export const m0001 = defineMessage({
  msgId: 0x0001,
  type: 'terminal-general-response',
  direction: 'up',
  decode(r): TerminalGeneralResponse {
    return { replySerial: r.u16(), replyMsgId: r.u16(), result: r.u8() };
  },
  encode(w, b: TerminalGeneralResponse) {
    w.u16(b.replySerial).u16(b.replyMsgId).u8(b.result);
  },
});
