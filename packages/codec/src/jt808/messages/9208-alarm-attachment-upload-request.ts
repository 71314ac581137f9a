import { type AlarmIdentification, readAlarmId, writeAlarmId } from '../alarm-id.ts';
import { defineMessage } from '../message.ts';
import { SUBIAO_ALARM_NUMBER_LENGTH } from './1210-alarm-attachment-list.ts';
import { isAllZero, writeAvBytes, writeAvFixedAscii, writeAvString } from './av-fields.ts';

/**
 * 0x9208 Alarm attachment upload request (P→T), sent on the main link after a 0x0200 carrying an
 * active-safety item (0x64–0x67); acked with 0x0001, after which the terminal connects to the
 * attachment server and sends 0x1210 / 0x1211 / file data / 0x1212 there.
 * Active-safety (Su-biao) extension, protocols/jt808-jt1078.md §8; layout from SmallChi
 * `Extensions.SuBiao/MessageBody/JT808_0x9208.cs` and go-jt808 `p_0x9208.go`. Same body under
 * 808-2011/2013/2019 headers; the identification length depends on `ctx.alarmIdLayout`.
 *
 * | field                | type     | notes                                                  |
 * |----------------------|----------|--------------------------------------------------------|
 * | IP length            | BYTE     |                                                        |
 * | server IP            | STRING   | attachment server address                              |
 * | TCP port             | WORD     |                                                        |
 * | UDP port             | WORD     |                                                        |
 * | alarm identification | BYTE[16] | alarm-id.ts; 32/38/39/40 bytes in the regional layouts |
 * | alarm number         | BYTE[32] | platform-assigned unique id, ASCII, NUL-padded         |
 * | reserved             | BYTE[16] |                                                        |
 */
export interface AlarmAttachmentUploadRequest {
  /** Attachment server address (IPv4 text or host name). */
  serverIp: string;
  /** Attachment server TCP port. */
  tcpPort: number;
  /** Attachment server UDP port (0 when unused). */
  udpPort: number;
  /** Alarm identification copied from the 0x0200 active-safety item. */
  alarmId: AlarmIdentification;
  /** Alarm number assigned by the platform, up to 32 ASCII characters (NUL padding removed). */
  alarmNumber: string;
  /** The 16 reserved bytes, only when not all zero; omitted → zeros when encoding. */
  reserved?: Buffer;
}

const RESERVED_LENGTH = 16;

export const m9208 = defineMessage({
  msgId: 0x9208,
  type: 'alarm-attachment-upload-request',
  direction: 'down',
  decode(r, ctx): AlarmAttachmentUploadRequest {
    const serverIp = r.lengthPrefixedString(1);
    const tcpPort = r.u16();
    const udpPort = r.u16();
    const alarmId = readAlarmId(r, ctx);
    const alarmNumber = r.fixedAscii(SUBIAO_ALARM_NUMBER_LENGTH);
    const reserved = r.bytes(RESERVED_LENGTH);
    const body: AlarmAttachmentUploadRequest = { serverIp, tcpPort, udpPort, alarmId, alarmNumber };
    if (!isAllZero(reserved)) body.reserved = reserved;
    return body;
  },
  encode(w, b: AlarmAttachmentUploadRequest, ctx) {
    writeAvString(w, b.serverIp, 'serverIp');
    w.u16(b.tcpPort).u16(b.udpPort);
    writeAlarmId(w, b.alarmId, ctx);
    writeAvFixedAscii(w, b.alarmNumber, SUBIAO_ALARM_NUMBER_LENGTH, 'alarmNumber');
    if (b.reserved === undefined) w.zeros(RESERVED_LENGTH);
    else writeAvBytes(w, b.reserved, RESERVED_LENGTH, 'reserved');
  },
});
