import { CodecError } from '../../errors.ts';
import { type AlarmIdentification, readAlarmId, terminalIdLength, writeAlarmId } from '../alarm-id.ts';
import { defineMessage, type Jt808Context } from '../message.ts';
import { writeAvFixedAscii, writeAvString } from './av-fields.ts';

/**
 * 0x1210 Alarm attachment information (T→P), sent on the attachment-server connection opened
 * after 0x9208; acked with 0x8001. Active-safety (Su-biao) extension, protocols/jt808-jt1078.md §8;
 * layout from SmallChi `Extensions.SuBiao/MessageBody/JT808_0x1210.cs` and go-jt808 `t_0x1210.go`.
 * Same body under 808-2011/2013/2019 headers; the lengths depend on the regional layout
 * (`ctx.alarmIdLayout`).
 *
 * | field                | type       | notes                                                    |
 * |----------------------|------------|----------------------------------------------------------|
 * | terminal id          | BYTE[7]    | ASCII, NUL-padded; 30 bytes in the Sichuan / Guangdong layouts, absent in Heilongjiang |
 * | alarm identification | BYTE[16]   | alarm-id.ts; 32/38/39/40 bytes in the regional layouts   |
 * | alarm number         | BYTE[32]   | platform-assigned unique id (from 0x9208), ASCII, NUL-padded |
 * | info type            | BYTE       | 0 normal alarm files, 1 back-filled alarm files          |
 * | attachment count     | BYTE       |                                                          |
 * | file × count         |            | name length BYTE, name STRING, size DWORD (bytes)        |
 *
 * Heilongjiang: go-jt808 `t_0x1210.go` ("黑标的情况是没有终端ID") sends no terminal id before the
 * 38-byte identification (which holds a 30-byte terminal id itself).
 */
export interface AlarmAttachmentFile {
  /** File name (GBK/ASCII), e.g. `00_64_6401_0_<alarm number>.jpg`. */
  name: string;
  /** File size, bytes. */
  size: number;
}

export interface AlarmAttachmentList {
  /** Terminal id (NUL padding removed). Absent in the Heilongjiang layout, which has no such field. */
  terminalId?: string;
  /** Alarm identification, as in the 0x0200 item 0x64–0x67 and in 0x9208. */
  alarmId: AlarmIdentification;
  /** Alarm number BYTE[32] assigned by the platform (NUL padding removed). */
  alarmNumber: string;
  /** 0 normal alarm files, 1 back-filled (supplementary) alarm files. */
  infoType: number;
  files: AlarmAttachmentFile[];
}

/** Length of the terminal id that precedes the alarm identification in 0x1210. */
export function attachmentListTerminalIdLength(ctx: Jt808Context): number {
  // Heilongjiang layout: no terminal id field (go-jt808 t_0x1210.go).
  return ctx.alarmIdLayout === 'heilongjiang' ? 0 : terminalIdLength(ctx);
}

export const SUBIAO_ALARM_NUMBER_LENGTH = 32;

export const m1210 = defineMessage({
  msgId: 0x1210,
  type: 'alarm-attachment-list',
  direction: 'up',
  decode(r, ctx): AlarmAttachmentList {
    const idLength = attachmentListTerminalIdLength(ctx);
    const terminalId = idLength > 0 ? r.fixedAscii(idLength) : undefined;
    const alarmId = readAlarmId(r, ctx);
    const alarmNumber = r.fixedAscii(SUBIAO_ALARM_NUMBER_LENGTH);
    const infoType = r.u8();
    const count = r.u8();
    const files: AlarmAttachmentFile[] = [];
    for (let i = 0; i < count; i++) {
      const name = r.lengthPrefixedString(1);
      files.push({ name, size: r.u32() });
    }
    const body: AlarmAttachmentList = { alarmId, alarmNumber, infoType, files };
    return terminalId === undefined ? body : { terminalId, ...body };
  },
  encode(w, b: AlarmAttachmentList, ctx) {
    const idLength = attachmentListTerminalIdLength(ctx);
    if (idLength > 0) writeAvFixedAscii(w, b.terminalId ?? '', idLength, 'terminalId');
    else if (b.terminalId !== undefined && b.terminalId !== '') {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `the ${ctx.alarmIdLayout} layout of 0x1210 has no terminal id`);
    }
    writeAlarmId(w, b.alarmId, ctx);
    writeAvFixedAscii(w, b.alarmNumber, SUBIAO_ALARM_NUMBER_LENGTH, 'alarmNumber');
    if (!Array.isArray(b.files)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'files must be an array');
    w.u8(b.infoType).u8(b.files.length);
    for (const f of b.files) {
      writeAvString(w, f.name, 'files[].name');
      w.u32(f.size);
    }
  },
});
