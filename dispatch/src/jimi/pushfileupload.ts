/**
 * `/pushfileupload` (§1.8; reference §1.8): a file the gateway stored (JT/T 808 0x0801 multimedia
 * data, kind `multimedia` with `stage: "data"`). 0x0800 multimedia events (`stage: "event"`) are
 * announcements without a file and are not pushed.
 *
 * | field | value |
 * |---|---|
 * | deviceImei, gateTime | event |
 * | fileName | the stored file's name (last path segment of `data.file`) |
 * | result | `SUCCESS` (a file that could not be stored produces no event) |
 * | mediaType, mediaFormat, eventCode, channel | 0x0801 header: 0 image / 1 audio / 2 video; 0 JPEG …; event; channel (our extension) |
 */
import type { UplinkEvent } from '@iothub/core';
import { defined, gateTime, int, type JimiMapper, push, str } from './common.ts';

export const pushfileupload: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const file = str(d.file);
  if (d.stage !== 'data' || file === undefined) return { skip: 'multimedia-event' };
  return push(
    '/pushfileupload',
    defined({
      deviceImei: e.deviceImei,
      fileName: file.split(/[\\/]/).pop() ?? file,
      gateTime: gateTime(e),
      result: 'SUCCESS',
      mediaType: int(d.mediaType),
      mediaFormat: int(d.mediaFormat),
      eventCode: int(d.event),
      channel: int(d.channel),
    }),
  );
};
