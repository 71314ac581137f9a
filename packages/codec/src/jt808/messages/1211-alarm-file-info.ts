import { defineMessage } from '../message.ts';
import { writeAvString } from './av-fields.ts';

/**
 * 0x1211 Alarm file information upload (T→P), sent on the attachment-server connection before the
 * data of one file; acked with 0x8001. Active-safety (Su-biao) extension, protocols/jt808-jt1078.md §8;
 * layout from SmallChi `Extensions.SuBiao/MessageBody/JT808_0x1211.cs` and go-jt808 `t_0x1211.go`.
 * 0x1212 (upload complete) has the same body. Same under 808-2011/2013/2019 headers.
 *
 * | field            | type   | notes                                          |
 * |------------------|--------|------------------------------------------------|
 * | file name length | BYTE   |                                                |
 * | file name        | STRING | GBK/ASCII                                      |
 * | file type        | BYTE   | 0 picture, 1 audio, 2 video, 3 text, 4 other   |
 * | file size        | DWORD  | bytes                                          |
 */
export interface AlarmFileInfo {
  /** File name, as listed in 0x1210. */
  fileName: string;
  /** 0 picture, 1 audio, 2 video, 3 text, 4 other. */
  fileType: number;
  /** File size, bytes. */
  fileSize: number;
}

export const m1211 = defineMessage({
  msgId: 0x1211,
  type: 'alarm-file-info',
  direction: 'up',
  decode(r): AlarmFileInfo {
    return { fileName: r.lengthPrefixedString(1), fileType: r.u8(), fileSize: r.u32() };
  },
  encode(w, b: AlarmFileInfo) {
    writeAvString(w, b.fileName, 'fileName');
    w.u8(b.fileType).u32(b.fileSize);
  },
});
