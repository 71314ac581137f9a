import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8100 Terminal register response (P→T), the answer to 0x0100. Same layout in
 * 2011 / 2013 / 2019 (protocols/jt808-jt1078.md §3, §5.2).
 *
 * | field        | type   | notes                                                                 |
 * |--------------|--------|-----------------------------------------------------------------------|
 * | reply serial | WORD   | serial of the 0x0100 answered                                          |
 * | result       | BYTE   | 0 ok, 1 vehicle registered, 2 no such vehicle, 3 terminal registered, 4 no such terminal |
 * | auth code    | STRING | GBK, to the end of the body; **only when the result is 0**             |
 */
export interface RegisterResponse {
  replySerial: number;
  result: number;
  /** Present only when `result` is 0 (may be empty). */
  authCode?: string;
}

export const RegisterResult = {
  ok: 0,
  vehicleRegistered: 1,
  vehicleUnknown: 2,
  terminalRegistered: 3,
  terminalUnknown: 4,
} as const;

export const m8100 = defineMessage({
  msgId: 0x8100,
  type: 'register-response',
  direction: 'down',
  decode(r): RegisterResponse {
    const replySerial = r.u16();
    const result = r.u8();
    // Bytes after a non-zero result are left unread: the packet layer reports them as trailing.
    return result === 0 ? { replySerial, result, authCode: r.restString() } : { replySerial, result };
  },
  encode(w, b: RegisterResponse) {
    if (b.result === 0 && b.authCode === undefined) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'register response with result 0 needs an authCode');
    }
    if (b.result !== 0 && b.authCode !== undefined) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'authCode is sent only with result 0');
    }
    w.u16(b.replySerial).u8(b.result);
    if (b.authCode !== undefined) w.string(b.authCode);
  },
});
