import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { type AvAlarmFlags, readAvResourceSelector, writeAvResourceSelector } from './av-fields.ts';

/**
 * 0x1205 Terminal uploads its audio/video resource list (T→P), the answer to 0x9205.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x1205.cs` +
 * `JT808_0x1205_AVResouce.cs` and go-jt808 `t_0x1205.go` (protocols/jt808-jt1078.md §7). Same body
 * under 808-2011/2013/2019 headers. Long lists arrive subpackaged: decode after reassembly.
 *
 * | field          | type  | notes                                     |
 * |----------------|-------|-------------------------------------------|
 * | reply serial   | WORD  | serial of the 0x9205 answered             |
 * | total          | DWORD | number of items that follow               |
 * | item × total   | 28 B  | see below                                 |
 *
 * Item:
 *
 * | field        | type   | notes                                                         |
 * |--------------|--------|---------------------------------------------------------------|
 * | channel      | BYTE   | logical channel                                               |
 * | start time   | BCD[6] | YYMMDDhhmmss, wire time zone                                  |
 * | end time     | BCD[6] | YYMMDDhhmmss, wire time zone                                  |
 * | alarm flags  | 64 bit | first DWORD bits 32–63 (1078 video alarms), then bits 0–31 (808 alarms) |
 * | media type   | BYTE   | 0 audio+video, 1 audio, 2 video                               |
 * | stream type  | BYTE   | 1 main, 2 sub                                                 |
 * | storage type | BYTE   | 1 main storage, 2 disaster-backup storage                     |
 * | file size    | DWORD  | bytes                                                         |
 */
export interface AvResourceItem extends AvAlarmFlags {
  /** Logical channel number. */
  channel: number;
  /** Recording start; null when zero or not a valid date. */
  startTime: Date | null;
  /** Recording end; null when zero or not a valid date. */
  endTime: Date | null;
  /** 0 audio and video, 1 audio, 2 video. */
  mediaType: number;
  /** 1 main stream, 2 sub stream. */
  streamType: number;
  /** 1 main storage, 2 disaster-backup storage. */
  storageType: number;
  /** File size, bytes. */
  fileSize: number;
}

export interface AvResourceList {
  /** Serial of the 0x9205 query answered. */
  replySerial: number;
  /**
   * Item count as declared (DWORD). Normally `items.length`; when the body ends early the decoder
   * keeps the whole items it found and the packet layer reports any partial item as trailing bytes.
   */
  total: number;
  items: AvResourceItem[];
}

const ITEM_LENGTH = 28;

export const m1205 = defineMessage({
  msgId: 0x1205,
  type: 'av-resource-list',
  direction: 'up',
  decode(r, ctx): AvResourceList {
    const replySerial = r.u16();
    const total = r.u32();
    const items: AvResourceItem[] = [];
    // Tolerant: a declared total larger than the body is not trusted (no pre-allocation, stop at the end).
    for (let i = 0; i < total && r.remaining >= ITEM_LENGTH; i++) {
      const selector = readAvResourceSelector(r, ctx);
      items.push({
        ...selector,
        fileSize: r.u32(),
      });
    }
    return { replySerial, total, items };
  },
  encode(w, b: AvResourceList, ctx) {
    if (!Array.isArray(b.items)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'items must be an array');
    w.u16(b.replySerial).u32(b.total);
    for (const it of b.items) {
      writeAvResourceSelector(w, it, ctx);
      w.u32(it.fileSize);
    }
  },
});
