import { defineMessage } from '../message.ts';
import { type AlarmFileInfo, m1211 } from './1211-alarm-file-info.ts';

/**
 * 0x1212 Alarm file upload complete (T→P), sent on the attachment-server connection after the data
 * of one file; answered with **0x9212** (which may ask for missing blocks, after which the terminal
 * resends them and sends 0x1212 again). Active-safety (Su-biao) extension, protocols/jt808-jt1078.md §8;
 * SmallChi `Extensions.SuBiao/MessageBody/JT808_0x1212.cs`, go-jt808 `t_0x1212.go`.
 * Same body as 0x1211 (see its table) under 808-2011/2013/2019 headers:
 *
 * | field            | type   | notes                                          |
 * |------------------|--------|------------------------------------------------|
 * | file name length | BYTE   |                                                |
 * | file name        | STRING |                                                |
 * | file type        | BYTE   | 0 picture, 1 audio, 2 video, 3 text, 4 other   |
 * | file size        | DWORD  | bytes                                          |
 */
export type AlarmFileUploadComplete = AlarmFileInfo;

export const m1212 = defineMessage({
  msgId: 0x1212,
  type: 'alarm-file-upload-complete',
  direction: 'up',
  decode: (r, ctx): AlarmFileUploadComplete => m1211.decode(r, ctx),
  encode: (w, b: AlarmFileUploadComplete, ctx) => m1211.encode(w, b, ctx),
});
