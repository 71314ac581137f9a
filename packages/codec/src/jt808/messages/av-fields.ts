import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import type { Jt808Context } from '../message.ts';

/**
 * Field helpers shared by the JT/T 1078 signalling and active-safety messages of the `av` group
 * (0x1205, 0x9205, 0x9206 alarm flags; length-prefixed addresses; BCD times). Encoders here check
 * the runtime type as well as the range, because the downlink bodies (0x9101, 0x9205, 0x9206, ...)
 * are built from JSON by the instruction API: a wrong type must be an IOTHUB_ERR_ENCODE_VALUE, not a
 * TypeError from deep inside Buffer.
 */

/**
 * The 64-bit "alarm flags" of 0x1205 items, 0x9205 and 0x9206 (JT/T 1078-2016 tables for 0x1205 /
 * 0x9205 / 0x9206; go-jt808 `t_0x1205.go`: "bit0 ~ bit31 per JT/T 808 table 18, bit32 ~ bit63 per
 * table 13"). Sent as one big-endian QWORD, so on the wire the **first** DWORD holds bits 32–63
 * and the **second** DWORD holds bits 0–31. An all-zero value means "no alarm condition" (any file).
 */
export interface AvAlarmFlags {
  /** The whole 64-bit word; bit n is `1n << BigInt(n)`. */
  alarmFlags: bigint;
  /**
   * Bits 0–31 (the second DWORD on the wire): the JT/T 808 0x0200 alarm-flag bits
   * (bit 0 emergency, bit 1 overspeed, ...). Always set by the decoder; optional when encoding.
   */
  alarmFlagsLow?: number;
  /**
   * Bits 32–63 (the first DWORD on the wire): the JT/T 1078 video alarm bits, bit 32 + k being
   * bit k of the 0x0200 additional item 0x14 (0 video signal loss, 1 occlusion, 2 storage fault,
   * 3 other video fault, 4 bus overcrowding, 5 abnormal driving, 6 special recording threshold;
   * **verify** against JT/T 1078 table 13). Always set by the decoder; optional when encoding.
   */
  alarmFlagsHigh?: number;
}

const U64_MAX = 0xffffffffffffffffn;

/** The 64-bit alarm word from its two halves (high = bits 32–63, low = bits 0–31). */
export function avAlarmFlagsFromHalves(high: number, low: number): bigint {
  return (BigInt(high) << 32n) | BigInt(low);
}

/** All three views of a 64-bit alarm word, ready to spread into a body. */
export function avAlarmFlags(value: bigint): Required<AvAlarmFlags> {
  return {
    alarmFlags: value,
    alarmFlagsLow: Number(value & 0xffffffffn),
    alarmFlagsHigh: Number((value >> 32n) & 0xffffffffn),
  };
}

/** Reads the QWORD as two DWORDs (no bigint arithmetic beyond the one combine). */
export function readAvAlarmFlags(r: Reader): Required<AvAlarmFlags> {
  const high = r.u32();
  const low = r.u32();
  return { alarmFlags: avAlarmFlagsFromHalves(high, low), alarmFlagsLow: low, alarmFlagsHigh: high };
}

export function writeAvAlarmFlags(w: Writer, b: AvAlarmFlags): void {
  const v = b.alarmFlags;
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `alarmFlags must be a bigint in 0..2^64-1, got ${String(v)}`);
  }
  if (b.alarmFlagsLow !== undefined && b.alarmFlagsLow !== Number(v & 0xffffffffn)) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `alarmFlagsLow ${b.alarmFlagsLow} disagrees with alarmFlags ${v}`);
  }
  if (b.alarmFlagsHigh !== undefined && b.alarmFlagsHigh !== Number(v >> 32n)) {
    throw new CodecError(
      'IOTHUB_ERR_ENCODE_VALUE',
      `alarmFlagsHigh ${b.alarmFlagsHigh} disagrees with alarmFlags ${v}`,
    );
  }
  w.u64(v);
}

/** STRING preceded by a BYTE length (server addresses, FTP fields, file names). */
export function writeAvString(w: Writer, text: string, field: string): void {
  if (typeof text !== 'string') throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be a string`);
  w.lengthPrefixedString(text, 1);
}

/** BCD[6] YYMMDDhhmmss in the context's wire time zone; null → all zeros. */
export function writeAvTime(w: Writer, time: Date | null, ctx: Jt808Context, field: string): void {
  if (time !== null && !(time instanceof Date)) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be a Date or null`);
  }
  w.bcdTime(time, ctx.timeOffsetMinutes);
}

/** Fixed-size ASCII field (NUL-padded on the wire). */
export function writeAvFixedAscii(w: Writer, text: string, n: number, field: string): void {
  if (typeof text !== 'string') throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be a string`);
  w.fixedAscii(text, n);
}

/** Exactly `n` raw bytes. */
export function writeAvBytes(w: Writer, bytes: Uint8Array, n: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be ${n} bytes`);
  }
  w.bytes(bytes);
}

/** True when every byte is zero. */
export function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * The resource selector shared by 0x1205 items, 0x9205 and 0x9206 (same wire order in all three):
 * channel BYTE, start BCD6, end BCD6, 64-bit alarm flags, media type BYTE, stream type BYTE, storage
 * type BYTE. Each message documents what the values mean in its own context.
 */
export interface AvResourceSelector extends AvAlarmFlags {
  channel: number;
  startTime: Date | null;
  endTime: Date | null;
  mediaType: number;
  streamType: number;
  storageType: number;
}

export function readAvResourceSelector(r: Reader, ctx: Jt808Context): Required<AvResourceSelector> {
  const channel = r.u8();
  const startTime = r.bcdTime(ctx.timeOffsetMinutes);
  const endTime = r.bcdTime(ctx.timeOffsetMinutes);
  const flags = readAvAlarmFlags(r);
  return {
    channel,
    startTime,
    endTime,
    alarmFlags: flags.alarmFlags,
    alarmFlagsLow: flags.alarmFlagsLow,
    alarmFlagsHigh: flags.alarmFlagsHigh,
    mediaType: r.u8(),
    streamType: r.u8(),
    storageType: r.u8(),
  };
}

export function writeAvResourceSelector(w: Writer, b: AvResourceSelector, ctx: Jt808Context): void {
  w.u8(b.channel);
  writeAvTime(w, b.startTime, ctx, 'startTime');
  writeAvTime(w, b.endTime, ctx, 'endTime');
  writeAvAlarmFlags(w, b);
  w.u8(b.mediaType).u8(b.streamType).u8(b.storageType);
}
