/**
 * `/pushftpfileupload` (§1.12; reference §1.11): the result of a JT/T 1078 FTP upload (0x1206
 * file-upload completion, the answer to 0x9206 / proNo 37382; kind `info`, type
 * `file-upload-completion`).
 *
 * | field | value |
 * |---|---|
 * | deviceImei, gateTime | event |
 * | result | 0 success, 1 failure (as sent by the device) |
 * | instructionID | `data.instructionID` when present, else the 0x9206 serial answered (string) |
 */
import type { UplinkEvent } from '@iothub/core';
import { gateTime, int, type JimiMapper, push, str } from './common.ts';

export const pushftpfileupload: JimiMapper = (e: UplinkEvent) =>
  push('/pushftpfileupload', {
    deviceImei: e.deviceImei,
    result: int(e.data.result) ?? 1,
    instructionID: str(e.data.instructionID) ?? String(int(e.data.replySerial) ?? ''),
    gateTime: gateTime(e),
  });
