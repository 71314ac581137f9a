/**
 * `/pushIothubEvent` (§1.13; reference §1.12): active-safety alarm attachment progress (JT/T 808
 * 0x1210 / 0x1211 / 0x1212, kind `attachment`).
 *
 * | field | value |
 * |---|---|
 * | deviceImei | event |
 * | gateTime | `receivedAt` as a **Unix timestamp in milliseconds** (the one endpoint whose gateTime is a number) |
 * | eventType | 0x1210 `UploadAlarmFileList`, 0x1211 `UploadAlarmFileBegin`, 0x1212 `UploadAlarmFileEnd` |
 * | eventContent | the decoded body as a JSON string (alarm identification, alarm number, files / file name, type, size) |
 */
import type { UplinkEvent } from '@iothub/core';
import { type JimiMapper, push } from './common.ts';

const EVENT_TYPES: Readonly<Record<string, string>> = {
  'alarm-attachment-list': 'UploadAlarmFileList',
  'alarm-file-info': 'UploadAlarmFileBegin',
  'alarm-file-upload-complete': 'UploadAlarmFileEnd',
};

export const pushIothubEvent: JimiMapper = (e: UplinkEvent) => {
  const eventType = EVENT_TYPES[e.type];
  if (eventType === undefined) return { skip: 'attachment-type' };
  const ms = Date.parse(e.receivedAt);
  return push('/pushIothubEvent', {
    deviceImei: e.deviceImei,
    gateTime: Number.isNaN(ms) ? Date.now() : ms,
    eventType,
    eventContent: JSON.stringify(e.data),
  });
};
