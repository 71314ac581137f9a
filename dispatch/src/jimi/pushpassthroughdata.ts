/**
 * `/pushPassThroughData` (§1.14; the hub's field list is not published — ours): Jimi 0x9B
 * transparent data (kind `transparent`, protocol `jimi`).
 *
 * | field | value |
 * |---|---|
 * | deviceImei, gateTime | event |
 * | moduleType | the 0x9B module type byte |
 * | content | the data, upper-case hex |
 */
import type { UplinkEvent } from '@iothub/core';
import { gateTime, int, type JimiMapper, push, str } from './common.ts';

export const pushPassThroughData: JimiMapper = (e: UplinkEvent) =>
  push('/pushPassThroughData', {
    deviceImei: e.deviceImei,
    gateTime: gateTime(e),
    moduleType: int(e.data.moduleType) ?? 0,
    content: (str(e.data.data) ?? '').toUpperCase(),
  });
