import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { writeAvString } from './av-fields.ts';

/**
 * 0x9212 Alarm file upload complete response (P→T), the answer to 0x1212 on the attachment-server
 * connection: either done, or a list of blocks the terminal must send again (then it sends 0x1212
 * again). Active-safety (Su-biao) extension, protocols/jt808-jt1078.md §8; layout from SmallChi
 * `Extensions.SuBiao/MessageBody/JT808_0x9212.cs` and go-jt808 `p_0x9212.go`. Same body under
 * 808-2011/2013/2019 headers.
 *
 * | field                  | type   | notes                                           |
 * |------------------------|--------|-------------------------------------------------|
 * | file name length       | BYTE   |                                                 |
 * | file name              | STRING |                                                 |
 * | file type              | BYTE   | 0 picture, 1 audio, 2 video, 3 text, 4 other    |
 * | result                 | BYTE   | 0 complete, 1 retransmission needed             |
 * | retransmit count       | BYTE   | 0 when nothing is missing                       |
 * | (offset, length) × n   | DWORD ×2 | byte offset and length of each missing block |
 */
export interface AlarmFileRetransmitBlock {
  /** Offset of the missing block in the file, bytes. */
  offset: number;
  /** Length of the missing block, bytes. */
  length: number;
}

export interface AlarmFileUploadCompleteResponse {
  /** File name, as sent in 0x1212. */
  fileName: string;
  /** 0 picture, 1 audio, 2 video, 3 text, 4 other. */
  fileType: number;
  /** 0 upload complete, 1 retransmission needed. */
  result: number;
  /** Blocks to resend (empty when complete). The count byte is `retransmits.length`. */
  retransmits: AlarmFileRetransmitBlock[];
}

export const m9212 = defineMessage({
  msgId: 0x9212,
  type: 'alarm-file-upload-complete-response',
  direction: 'down',
  decode(r): AlarmFileUploadCompleteResponse {
    const fileName = r.lengthPrefixedString(1);
    const fileType = r.u8();
    const result = r.u8();
    const count = r.u8();
    const retransmits: AlarmFileRetransmitBlock[] = [];
    for (let i = 0; i < count; i++) retransmits.push({ offset: r.u32(), length: r.u32() });
    return { fileName, fileType, result, retransmits };
  },
  encode(w, b: AlarmFileUploadCompleteResponse) {
    writeAvString(w, b.fileName, 'fileName');
    if (!Array.isArray(b.retransmits)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'retransmits must be an array');
    w.u8(b.fileType).u8(b.result).u8(b.retransmits.length);
    for (const blk of b.retransmits) w.u32(blk.offset).u32(blk.length);
  },
});
