import { defineMessage } from '../message.ts';

/**
 * 0x9207 File upload control (P→T): pause, resume or cancel the upload ordered by 0x9206.
 * Acked with 0x0001. JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9207.cs`
 * and go-jt808 `p_0x9207.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field        | type | notes                              |
 * |--------------|------|------------------------------------|
 * | reply serial | WORD | serial of the 0x9206 command       |
 * | control      | BYTE | 0 pause, 1 continue, 2 cancel      |
 */
export interface FileUploadControl {
  /** Serial of the 0x9206 command being controlled. */
  replySerial: number;
  /** 0 pause, 1 continue, 2 cancel. */
  control: number;
}

export const m9207 = defineMessage({
  msgId: 0x9207,
  type: 'file-upload-control',
  direction: 'down',
  decode(r): FileUploadControl {
    return { replySerial: r.u16(), control: r.u8() };
  },
  encode(w, b: FileUploadControl) {
    w.u16(b.replySerial).u8(b.control);
  },
});
