import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import type { Gt06GsmSignal } from '../alarms.ts';
import {
  decodeTerminalInfo,
  encodeTerminalInfo,
  type Gt06AlarmStatus,
  type Gt06Cell,
  type Gt06Gps,
  type Gt06LbsBlock,
  type Gt06TerminalInfo,
  gsmSignalName,
  readAlarmStatus,
  readCell,
  readGps,
  readLbsWithLength,
  writeAlarmStatus,
  writeCell,
  writeGps,
  writeLbsWithLength,
} from '../fields.ts';
import { defineMessage, type Gt06Context, type Gt06FrameInfo } from '../message.ts';

/**
 * Alarm ↑: 0x16 (classic GT06), 0x26 (UTC, one fence), 0x27 (multi-fence), 0xA4 (4G multi-fence).
 * D1 §6, D2 §5 and §12; protocols/jimi-gt06.md §5.4, §3.4–§3.8, §7.
 *
 * | bytes       | field                                                                   |
 * |-------------|-------------------------------------------------------------------------|
 * | 18          | GPS block (§3.3)                                                        |
 * | 1           | LBS length: counts itself + the cell block (9 2G; 16 / 17 4G)          |
 * | 8 / 15–16   | MCC, MNC, LAC, CID (2G 2+1+2+3; 4G 2+1(2)+4+8; MCC bit 15 → MNC 2 bytes) |
 * | 1           | terminal information (§3.5)                                             |
 * | 1           | voltage level (§3.6)                                                    |
 * | 1           | GSM signal (§3.7)                                                       |
 * | 2           | alarm code (§7) + language (§3.8; 00 = no platform reply needed)       |
 * | 1           | 0x27 / 0xA4 only: fence number (FF none)                                |
 * | 4           | optional mileage                                                        |
 *
 * The LBS length byte, not the protocol number, picks the cell sizes (traccar reads 0xA4 cells
 * with 2G sizes; §5.4). Firmware variants (T-DEC, fixtures): a length byte that leaves itself
 * out (8), length 0 followed by a zeroed 45-byte block, a 2-byte voltage level (6-byte status
 * tail on 0x16 / 0x26), and VXT01 (0x16 with LEN 0x24: no LBS length byte; terminal info,
 * power u16 / 100, GSM, alarm extension). For 0x27 / 0xA4 the language byte's high nibble is
 * bits 8–11 of the alarm code (0x107 / 0x10B jamming).
 * Reply: `78 78 05 <proto> <serial> <crc> 0D 0A` (`ackFor`); optionally a 0x17 / 0x97 address.
 */
export interface AlarmStandard extends Gt06LbsBlock {
  layout: 'standard';
  gps: Gt06Gps;
  status: Gt06AlarmStatus;
  /** 0x27 / 0xA4: fence number (0xFF none; D2 numbers fences from 0, D1 from 1). */
  fenceNumber?: number;
  /** Mileage (unit as sent). */
  mileage?: number;
  extra?: Buffer;
}

export interface AlarmVxt01 {
  layout: 'vxt01';
  gps: Gt06Gps;
  cell: Gt06Cell;
  /** Bits 5..3 = 111 mean overspeed on this variant (T-DEC). */
  terminalInfo: Gt06TerminalInfo;
  /** Volts (u16 / 100). */
  power: number;
  gsmSignal: number;
  gsmSignalName?: Gt06GsmSignal;
  alarmExtension: number;
  extra?: Buffer;
}

export type Alarm = AlarmStandard | AlarmVxt01;

function hasFence(protocol: number): boolean {
  return protocol === 0x27 || protocol === 0xa4;
}

const TAILS_PLAIN = [5, 6, 9];
const TAILS_FENCE = [6, 10];

function isVxt01(f: Gt06FrameInfo): boolean {
  return f.protocol === 0x16 && f.length === 0x24 && f.start === 'short';
}

function decodeAlarm(r: Reader, f: Gt06FrameInfo, ctx: Gt06Context): Alarm {
  const gps = readGps(r, ctx);
  if (isVxt01(f)) {
    const cell = readCell(r, '2g');
    const terminalInfo = decodeTerminalInfo(r.u8());
    const power = r.u16() / 100;
    const gsmSignal = r.u8();
    const body: AlarmVxt01 = { layout: 'vxt01', gps, cell, terminalInfo, power, gsmSignal, alarmExtension: r.u8() };
    const name = gsmSignalName(gsmSignal);
    if (name) body.gsmSignalName = name;
    if (r.remaining > 0) body.extra = r.rest();
    return body;
  }
  const fence = hasFence(f.protocol);
  const tails = fence ? TAILS_FENCE : TAILS_PLAIN;
  const lbs = readLbsWithLength(r, (rest) => tails.includes(rest));
  // 0x16 / 0x26 with a 6-byte status tail: the voltage level is 2 bytes (fixtures, T-DEC).
  const wide = !fence && r.remaining === 6;
  const status = readAlarmStatus(r, ctx, fence, wide);
  const body: AlarmStandard = { layout: 'standard', gps, ...lbs, status };
  if (fence) body.fenceNumber = r.u8();
  if (r.remaining === 4) body.mileage = r.u32();
  else if (r.remaining > 0) body.extra = r.rest();
  return body;
}

function encodeAlarm(w: Writer, b: Alarm, protocol: number, ctx: Gt06Context): void {
  writeGps(w, b.gps, ctx);
  if (b.layout === 'vxt01') {
    if (protocol !== 0x16) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'the VXT01 layout is 0x16 only');
    writeCell(w, b.cell, '2g');
    const power = Math.round(b.power * 100);
    if (!(power >= 0 && power <= 0xffff)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `power ${b.power}`);
    w.u8(encodeTerminalInfo(b.terminalInfo)).u16(power).u8(b.gsmSignal).u8(b.alarmExtension);
    if (b.extra) w.bytes(b.extra);
    return;
  }
  writeLbsWithLength(w, b);
  writeAlarmStatus(w, b.status);
  if (hasFence(protocol)) w.u8(b.fenceNumber ?? 0xff);
  else if (b.fenceNumber !== undefined)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'fenceNumber only in 0x27 / 0xA4');
  if (b.mileage !== undefined) w.u32(b.mileage);
  if (b.extra) w.bytes(b.extra);
}

export const m16Alarm = defineMessage({
  type: 'alarm',
  protocols: [0x16, 0x26, 0x27, 0xa4],
  direction: 'up',
  decode: decodeAlarm,
  encode: encodeAlarm,
});
