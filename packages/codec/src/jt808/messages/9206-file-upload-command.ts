import { defineMessage } from '../message.ts';
import { type AvAlarmFlags, readAvResourceSelector, writeAvResourceSelector, writeAvString } from './av-fields.ts';

/**
 * 0x9206 File upload command (P→T): upload recordings to an FTP server. Acked with 0x0001, later
 * followed by 0x1206 when the upload ends.
 * JT/T 1078-2016; layout from go-jt808 `p_0x9206.go` and SmallChi `Extensions.JT1078/MessageBody/
 * JT808_0x9206.cs` (protocols/jt808-jt1078.md §7). Same body under 808-2011/2013/2019 headers.
 *
 * | field           | type   | notes                                                                |
 * |-----------------|--------|----------------------------------------------------------------------|
 * | host length     | BYTE   |                                                                      |
 * | FTP host        | STRING | address or host name                                                 |
 * | port            | WORD   | FTP port                                                             |
 * | user length     | BYTE   |                                                                      |
 * | user name       | STRING |                                                                      |
 * | password length | BYTE   |                                                                      |
 * | password        | STRING |                                                                      |
 * | path length     | BYTE   |                                                                      |
 * | upload path     | STRING | directory on the FTP server                                          |
 * | channel         | BYTE   | logical channel                                                      |
 * | start time      | BCD[6] | wire time zone                                                       |
 * | end time        | BCD[6] | wire time zone                                                       |
 * | alarm flags     | 64 bit | first DWORD bits 32–63 (1078 video alarms), then bits 0–31 (808 alarms) |
 * | media type      | BYTE   | 0 audio+video, 1 audio, 2 video, 3 audio or video                    |
 * | stream type     | BYTE   | 0 main or sub, 1 main, 2 sub                                         |
 * | storage type    | BYTE   | 0 main or backup, 1 main, 2 disaster-backup                          |
 * | conditions      | BYTE   | bit 0 Wi-Fi, bit 1 LAN, bit 2 3G/4G: networks the upload may use     |
 *
 * One version of SmallChi's class reads the alarm flags as a DWORD; its own test vector and go-jt808
 * carry 8 bytes, as does the JT/T 1078 table, so 8 bytes it is.
 */
export interface FileUploadCommand extends AvAlarmFlags {
  /** FTP server address (IPv4 text or host name). */
  ftpHost: string;
  /** FTP server port. */
  ftpPort: number;
  /** FTP user name. */
  username: string;
  /** FTP password. */
  password: string;
  /** Upload directory on the FTP server. */
  uploadPath: string;
  /** Logical channel number. */
  channel: number;
  /** Start of the recordings to upload; null = all zeros. */
  startTime: Date | null;
  /** End of the recordings to upload; null = all zeros. */
  endTime: Date | null;
  /** 0 audio and video, 1 audio, 2 video, 3 audio or video. */
  mediaType: number;
  /** 0 main or sub, 1 main, 2 sub. */
  streamType: number;
  /** 0 main or backup storage, 1 main storage, 2 disaster-backup storage. */
  storageType: number;
  /** Networks on which the upload may run: bit 0 Wi-Fi, bit 1 LAN, bit 2 3G/4G. */
  conditions: number;
}

export const FileUploadCondition = { wifi: 0x01, lan: 0x02, mobile: 0x04 } as const;

export const m9206 = defineMessage({
  msgId: 0x9206,
  type: 'file-upload-command',
  direction: 'down',
  decode(r, ctx): FileUploadCommand {
    const ftpHost = r.lengthPrefixedString(1);
    const ftpPort = r.u16();
    const username = r.lengthPrefixedString(1);
    const password = r.lengthPrefixedString(1);
    const uploadPath = r.lengthPrefixedString(1);
    const selector = readAvResourceSelector(r, ctx);
    return { ftpHost, ftpPort, username, password, uploadPath, ...selector, conditions: r.u8() };
  },
  encode(w, b: FileUploadCommand, ctx) {
    writeAvString(w, b.ftpHost, 'ftpHost');
    w.u16(b.ftpPort);
    writeAvString(w, b.username, 'username');
    writeAvString(w, b.password, 'password');
    writeAvString(w, b.uploadPath, 'uploadPath');
    writeAvResourceSelector(w, b, ctx);
    w.u8(b.conditions);
  },
});
