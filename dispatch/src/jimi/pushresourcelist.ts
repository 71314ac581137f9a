/**
 * `/pushresourcelist` (§1.11; reference §1.10): the JT/T 1078 audio/video resource list (0x1205,
 * the answer to 0x9205 / proNo 37381). Sent inside `data_list` like every other endpoint (the
 * reference saw it also without the envelope; receivers accept both).
 *
 * | field | value |
 * |---|---|
 * | deviceImei, imei | event `deviceImei` (the reference names it `imei`; both given) |
 * | gateTime | event |
 * | totalNum | declared item count |
 * | instructionID | `data.instructionID` when the instruction server added it, else the 0x9205 serial answered (string) |
 * | resourceList | `[{channel, beginTime, endTime, alarmFlag, resourceType, codeType, storageType, fileSize}]`: times UTC `yyyy-MM-dd HH:mm:ss`; `alarmFlag` the 64-bit flags as a decimal string; `resourceType` 0 A+V / 1 audio / 2 video; `codeType` 1 main / 2 sub stream; `storageType` 1 main / 2 backup |
 */
import type { UplinkEvent } from '@iothub/core';
import { arr, gateTime, int, type JimiMapper, jimiTime, obj, push, str } from './common.ts';

export const pushresourcelist: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const items = arr(d.items)
    .map(obj)
    .filter((i) => i !== undefined)
    .map((i) => ({
      channel: int(i.channel) ?? 0,
      beginTime: jimiTime(i.startTime),
      endTime: jimiTime(i.endTime),
      alarmFlag: str(i.alarmFlags) ?? '0',
      resourceType: int(i.mediaType) ?? 0,
      codeType: int(i.streamType) ?? 0,
      storageType: int(i.storageType) ?? 0,
      fileSize: int(i.fileSize) ?? 0,
    }));
  return push('/pushresourcelist', {
    deviceImei: e.deviceImei,
    imei: e.deviceImei,
    gateTime: gateTime(e),
    totalNum: int(d.total) ?? items.length,
    instructionID: str(d.instructionID) ?? String(int(d.replySerial) ?? ''),
    resourceList: items,
  });
};
