import { defineMessage } from '../message.ts';
import { type AvAlarmFlags, readAvResourceSelector, writeAvResourceSelector } from './av-fields.ts';

/**
 * 0x9205 Query audio/video resource list (P→T), answered with 0x1205.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9205.cs` and go-jt808
 * `p_0x9205.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field        | type   | notes                                                                 |
 * |--------------|--------|-----------------------------------------------------------------------|
 * | channel      | BYTE   | logical channel, 0 = all channels                                     |
 * | start time   | BCD[6] | wire time zone; all zero = no start bound                             |
 * | end time     | BCD[6] | wire time zone; all zero = no end bound                               |
 * | alarm flags  | 64 bit | first DWORD bits 32–63 (1078 video alarms), then bits 0–31 (808 alarms); 0 = no alarm filter |
 * | media type   | BYTE   | 0 audio+video, 1 audio, 2 video, 3 audio or video                     |
 * | stream type  | BYTE   | 0 all, 1 main, 2 sub                                                  |
 * | storage type | BYTE   | 0 all, 1 main, 2 disaster-backup                                      |
 */
export interface QueryAvResources extends AvAlarmFlags {
  /** Logical channel number; 0 = all channels. */
  channel: number;
  /** Start of the searched period; null = all zeros (unbounded). */
  startTime: Date | null;
  /** End of the searched period; null = all zeros (unbounded). */
  endTime: Date | null;
  /** 0 audio and video, 1 audio, 2 video, 3 audio or video. */
  mediaType: number;
  /** 0 all streams, 1 main, 2 sub. */
  streamType: number;
  /** 0 all storage, 1 main, 2 disaster-backup. */
  storageType: number;
}

export const m9205 = defineMessage({
  msgId: 0x9205,
  type: 'query-av-resources',
  direction: 'down',
  decode(r, ctx): QueryAvResources {
    return readAvResourceSelector(r, ctx);
  },
  encode(w, b: QueryAvResources, ctx) {
    writeAvResourceSelector(w, b, ctx);
  },
});
