import type { Reader } from '../core/reader.ts';
import type { Writer } from '../core/writer.ts';
import { CodecError } from '../errors.ts';
import type { AlarmIdLayout, Jt808Context } from './message.ts';

/**
 * Active-safety (Su-biao) alarm identification (protocols/jt808-jt1078.md §8), carried at the
 * end of the 0x0200 items 0x64–0x67 and in 0x9208 / 0x1210:
 *
 * | field            | Jiangsu (default) | meaning                                    |
 * |------------------|-------------------|--------------------------------------------|
 * | terminal id      | BYTE[7]           | ASCII, NUL-padded                          |
 * | time             | BCD[6]            | YYMMDDhhmmss, wire time zone (GMT+8)       |
 * | serial           | BYTE              | alarm serial within that second            |
 * | attachment count | BYTE              |                                            |
 * | reserved         | BYTE (or more)    | kept raw                                   |
 *
 * Regional layouts change the lengths (terminal id / whole identification):
 * Jiangsu 7/16, Hunan 7/32, Heilongjiang 30/38, Sichuan 30/39, Guangdong 30/40. The
 * longer identifications have a longer reserved tail.
 */
export interface AlarmIdentification {
  terminalId: string;
  time: Date | null;
  serial: number;
  attachmentCount: number;
  /** Reserved tail bytes (1 byte for Jiangsu), kept as sent. */
  reserved: Buffer;
}

export const ALARM_ID_LAYOUTS: Record<AlarmIdLayout, { terminalIdLength: number; length: number }> = {
  jiangsu: { terminalIdLength: 7, length: 16 },
  hunan: { terminalIdLength: 7, length: 32 },
  heilongjiang: { terminalIdLength: 30, length: 38 },
  sichuan: { terminalIdLength: 30, length: 39 },
  guangdong: { terminalIdLength: 30, length: 40 },
};

/** Length in bytes of the terminal id field in the context's regional layout. */
export function terminalIdLength(ctx: Jt808Context): number {
  return ALARM_ID_LAYOUTS[ctx.alarmIdLayout].terminalIdLength;
}

export function readAlarmId(r: Reader, ctx: Jt808Context): AlarmIdentification {
  const { terminalIdLength: n, length } = ALARM_ID_LAYOUTS[ctx.alarmIdLayout];
  const terminalId = r.fixedAscii(n);
  const time = r.bcdTime(ctx.timeOffsetMinutes);
  const serial = r.u8();
  const attachmentCount = r.u8();
  const reserved = r.bytes(length - n - 8);
  return { terminalId, time, serial, attachmentCount, reserved };
}

export function writeAlarmId(w: Writer, id: AlarmIdentification, ctx: Jt808Context): void {
  const { terminalIdLength: n, length } = ALARM_ID_LAYOUTS[ctx.alarmIdLayout];
  const reservedLength = length - n - 8;
  if (id.reserved.length !== reservedLength) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `alarm id reserved must be ${reservedLength} bytes`);
  }
  w.fixedAscii(id.terminalId, n).bcdTime(id.time, ctx.timeOffsetMinutes).u8(id.serial).u8(id.attachmentCount);
  w.bytes(id.reserved);
}
