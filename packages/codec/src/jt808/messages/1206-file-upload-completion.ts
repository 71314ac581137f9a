import { defineMessage } from '../message.ts';

/**
 * 0x1206 File upload completion notice (T→P): the FTP upload ordered by 0x9206 has ended.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x1206.cs` and go-jt808
 * `t_0x1206.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field        | type | notes                          |
 * |--------------|------|--------------------------------|
 * | reply serial | WORD | serial of the 0x9206 command   |
 * | result       | BYTE | 0 success, 1 failure           |
 */
export interface FileUploadCompletion {
  /** Serial of the 0x9206 command this completes. */
  replySerial: number;
  /** 0 success, 1 failure. */
  result: number;
}

export const m1206 = defineMessage({
  msgId: 0x1206,
  type: 'file-upload-completion',
  direction: 'up',
  decode(r): FileUploadCompletion {
    return { replySerial: r.u16(), result: r.u8() };
  },
  encode(w, b: FileUploadCompletion) {
    w.u16(b.replySerial).u8(b.result);
  },
});
