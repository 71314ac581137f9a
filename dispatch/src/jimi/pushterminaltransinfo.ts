/**
 * `/pushTerminalTransInfo` (§1.15; reference §1.13): JT/T 808 0x0900 uplink pass-through data
 * (kind `transparent`, protocol `jt808`).
 *
 * | field | value |
 * |---|---|
 * | deviceImei | event |
 * | postTime | `receivedAt`, UTC `yyyy-MM-dd HH:mm:ss` |
 * | extensionId | the pass-through type (e.g. 8197 = 0x2005 device status, 8199 = 0x2007 serial data) |
 * | content | the data, upper-case hex |
 */
import type { UplinkEvent } from '@iothub/core';
import { gateTime, int, type JimiMapper, push, str } from './common.ts';

export const pushTerminalTransInfo: JimiMapper = (e: UplinkEvent) =>
  push('/pushTerminalTransInfo', {
    deviceImei: e.deviceImei,
    postTime: gateTime(e),
    extensionId: int(e.data.passThroughType) ?? 0,
    content: (str(e.data.data) ?? '').toUpperCase(),
  });
