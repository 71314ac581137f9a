import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import { type Gt06GsmSignal, type Gt06Language, languageName } from '../alarms.ts';
import {
  decodeTerminalInfo,
  encodeTerminalInfo,
  type Gt06TerminalInfo,
  type Gt06Voltage,
  gsmSignalName,
  voltageFields,
} from '../fields.ts';
import { defineMessage, type Gt06Context, type Gt06FrameInfo } from '../message.ts';

/**
 * 0x13 Heartbeat / status ↑ and 0x23 heartbeat with external voltage ↑
 * (D1 §2, D2 §2; protocols/jimi-gt06.md §5.2, §3.5–§3.8).
 *
 * 0x13, standard (LEN 0x0A):
 * | bytes | field                                                        |
 * |-------|--------------------------------------------------------------|
 * | 1     | terminal information (§3.5)                                  |
 * | 1     | voltage level 0–6 (§3.6)                                     |
 * | 1     | GSM signal 0–4 (§3.7)                                        |
 * | 2     | byte 1: alarm / extended port status; byte 2: language       |
 *
 * 0x23 (EG02/EG03, GK310; D1 §2): terminal info (1), external voltage u16 / 100 V, GSM (1),
 * extended status (1), language (1). Example `78 78 0B 23 05 0F 92 04 00 02 ...` = 39.86 V.
 *
 * Variants of 0x13 (T-DEC; §5.2), chosen by length or by the model profile:
 * - LEN 0x13 "OBD6": terminal info, satellites/signal u16, alarm, language, battery %, mode,
 *   power u16 / 100, 3 reserved bytes, temperature i16 / 10 (valid in mode 4).
 * - LEN 0x15: info, satellites u16, alarm, language, battery %, working mode, working voltage
 *   u16 / 100, reserved (1), working times u16, working time u16, temperature u16 / 10 in
 *   sign-magnitude (bit 15 set = positive).
 * - R11: a 2-byte power / 100 replaces the voltage-level byte.
 * - LW*: after GSM a word whose low 12 bits are power / 10.
 * - SEEWORLD: the alarm byte carries the power in volts.
 * Reply (all): `78 78 05 <13|23> <serial> <crc> 0D 0A` (`ackFor`); 3 missed replies reboot the device.
 */
interface HeartbeatCommon {
  terminalInfo: Gt06TerminalInfo;
}

interface GsmFields {
  gsmSignal: number;
  gsmSignalName?: Gt06GsmSignal;
}

interface LanguageFields {
  /** Byte 1 of the language word: alarm / extended port status. */
  extendedStatus?: number;
  /** Byte 2 of the language word. */
  language?: number;
  languageName?: Gt06Language;
}

export interface HeartbeatStandard extends HeartbeatCommon, Gt06Voltage, GsmFields, LanguageFields {
  layout: 'standard';
  extra?: Buffer;
}

export interface HeartbeatObd6 extends HeartbeatCommon {
  layout: 'obd6';
  /** Packed satellites / signal bits, as sent. */
  satelliteSignal: number;
  alarmCode: number;
  language: number;
  batteryPercent: number;
  mode: number;
  /** Volts (u16 / 100). */
  power: number;
  /** The 5 bytes after the power, as sent (the last two are the temperature in mode 4). */
  reserved: Buffer;
  /** °C, from the last two reserved bytes (i16 / 10) when `mode` is 4. */
  temperature?: number;
}

export interface HeartbeatExtended extends HeartbeatCommon {
  layout: 'extended';
  satellites: number;
  alarmCode: number;
  language: number;
  batteryPercent: number;
  workingMode: number;
  /** Volts (u16 / 100). */
  workingVoltage: number;
  reserved: number;
  workingTimes: number;
  workingTime: number;
  /** °C (sign-magnitude u16 / 10, bit 15 set = positive). */
  temperature: number;
}

export interface HeartbeatR11 extends HeartbeatCommon, LanguageFields {
  layout: 'r11';
  /** Volts (u16 / 100). */
  power: number;
  gsmSignal?: number;
  extra?: Buffer;
}

export interface HeartbeatLw extends HeartbeatCommon, Gt06Voltage, GsmFields {
  layout: 'lw';
  /** Volts: low 12 bits of the word / 10. */
  power: number;
  /** High 4 bits of the word, as sent. */
  powerFlags: number;
  extra?: Buffer;
}

export interface HeartbeatSeeworld extends HeartbeatCommon, Gt06Voltage, GsmFields {
  layout: 'seeworld';
  /** Volts (the alarm byte). */
  power: number;
  language?: number;
  languageName?: Gt06Language;
  extra?: Buffer;
}

export type Heartbeat =
  | HeartbeatStandard
  | HeartbeatObd6
  | HeartbeatExtended
  | HeartbeatR11
  | HeartbeatLw
  | HeartbeatSeeworld;

export interface HeartbeatVoltage extends HeartbeatCommon, GsmFields, LanguageFields {
  /** External voltage, volts (u16 / 100). */
  voltage: number;
  extra?: Buffer;
}

function gsm(target: GsmFields, b: number): void {
  target.gsmSignal = b;
  const name = gsmSignalName(b);
  if (name) target.gsmSignalName = name;
}

function languageWord(r: Reader, target: LanguageFields): void {
  if (r.remaining > 0) target.extendedStatus = r.u8();
  if (r.remaining > 0) {
    const l = r.u8();
    target.language = l;
    const name = languageName(l);
    if (name) target.languageName = name;
  }
}

function writeLanguageWord(w: Writer, b: LanguageFields): void {
  if (b.extendedStatus !== undefined) w.u8(b.extendedStatus);
  if (b.language !== undefined) {
    if (b.extendedStatus === undefined)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'language needs extendedStatus');
    w.u8(b.language);
  }
}

function hundredths(v: number, what: string): number {
  const raw = Math.round(v * 100);
  if (!Number.isFinite(v) || raw < 0 || raw > 0xffff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v}`);
  return raw;
}

function tenths(v: number, min: number, max: number, what: string): number {
  const raw = Math.round(v * 10);
  if (!Number.isFinite(v) || raw < min || raw > max) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v}`);
  return raw;
}

function decodeHeartbeat(r: Reader, f: Gt06FrameInfo, ctx: Gt06Context): Heartbeat {
  const terminalInfo = decodeTerminalInfo(r.u8());
  // Length-detected variants (standard frames only).
  if (!f.clone && f.length === 0x13 && f.start === 'short') {
    const satelliteSignal = r.u16();
    const alarmCode = r.u8();
    const language = r.u8();
    const batteryPercent = r.u8();
    const mode = r.u8();
    const power = r.u16() / 100;
    const reserved = r.bytes(5);
    const body: HeartbeatObd6 = {
      layout: 'obd6',
      terminalInfo,
      satelliteSignal,
      alarmCode,
      language,
      batteryPercent,
      mode,
      power,
      reserved,
    };
    if (mode === 4) body.temperature = reserved.readInt16BE(3) / 10;
    return body;
  }
  if (!f.clone && f.length === 0x15 && f.start === 'short') {
    const body: HeartbeatExtended = {
      layout: 'extended',
      terminalInfo,
      satellites: r.u16(),
      alarmCode: r.u8(),
      language: r.u8(),
      batteryPercent: r.u8(),
      workingMode: r.u8(),
      workingVoltage: r.u16() / 100,
      reserved: r.u8(),
      workingTimes: r.u16(),
      workingTime: r.u16(),
      temperature: 0,
    };
    const t = r.u16();
    const magnitude = (t & 0x7fff) / 10;
    // T-DEC: bit 15 set means a positive temperature.
    body.temperature = (t & 0x8000) !== 0 || magnitude === 0 ? magnitude : -magnitude;
    return body;
  }
  switch (ctx.profile.heartbeat) {
    case 'r11': {
      const body: HeartbeatR11 = { layout: 'r11', terminalInfo, power: r.u16() / 100 };
      if (r.remaining > 0) body.gsmSignal = r.u8();
      languageWord(r, body);
      if (r.remaining > 0) body.extra = r.rest();
      return body;
    }
    case 'lw': {
      const v = voltageFields(r.u8());
      const g = r.u8();
      const word = r.u16();
      const body: HeartbeatLw = {
        layout: 'lw',
        terminalInfo,
        ...v,
        gsmSignal: g,
        power: (word & 0x0fff) / 10,
        powerFlags: word >> 12,
      };
      gsm(body, g);
      if (r.remaining > 0) body.extra = r.rest();
      return body;
    }
    case 'seeworld': {
      const v = voltageFields(r.u8());
      const g = r.u8();
      const body: HeartbeatSeeworld = { layout: 'seeworld', terminalInfo, ...v, gsmSignal: g, power: r.u8() };
      gsm(body, g);
      if (r.remaining > 0) {
        const l = r.u8();
        body.language = l;
        const name = languageName(l);
        if (name) body.languageName = name;
      }
      if (r.remaining > 0) body.extra = r.rest();
      return body;
    }
    case 'standard': {
      const v = voltageFields(r.u8());
      const g = r.u8();
      const body: HeartbeatStandard = { layout: 'standard', terminalInfo, ...v, gsmSignal: g };
      gsm(body, g);
      languageWord(r, body);
      if (r.remaining > 0) body.extra = r.rest();
      return body;
    }
    default: {
      const never: never = ctx.profile.heartbeat;
      throw new CodecError('IOTHUB_ERR_FIELD_VALUE', `heartbeat layout ${String(never)}`);
    }
  }
}

function encodeHeartbeat(w: Writer, b: Heartbeat): void {
  w.u8(encodeTerminalInfo(b.terminalInfo));
  switch (b.layout) {
    case 'standard':
      w.u8(b.voltageLevel).u8(b.gsmSignal);
      writeLanguageWord(w, b);
      if (b.extra) w.bytes(b.extra);
      return;
    case 'obd6':
      if (b.reserved.length !== 5) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'obd6 reserved must be 5 bytes');
      w.u16(b.satelliteSignal).u8(b.alarmCode).u8(b.language).u8(b.batteryPercent).u8(b.mode);
      w.u16(hundredths(b.power, 'power')).bytes(b.reserved);
      return;
    case 'extended': {
      w.u16(b.satellites).u8(b.alarmCode).u8(b.language).u8(b.batteryPercent).u8(b.workingMode);
      w.u16(hundredths(b.workingVoltage, 'workingVoltage')).u8(b.reserved).u16(b.workingTimes).u16(b.workingTime);
      const t = tenths(Math.abs(b.temperature), 0, 0x7fff, 'temperature');
      w.u16(b.temperature >= 0 ? t | 0x8000 : t);
      return;
    }
    case 'r11':
      w.u16(hundredths(b.power, 'power'));
      if (b.gsmSignal !== undefined) w.u8(b.gsmSignal);
      writeLanguageWord(w, b);
      if (b.extra) w.bytes(b.extra);
      return;
    case 'lw':
      w.u8(b.voltageLevel).u8(b.gsmSignal);
      if (!Number.isInteger(b.powerFlags) || b.powerFlags < 0 || b.powerFlags > 15) {
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `powerFlags ${b.powerFlags}`);
      }
      w.u16((b.powerFlags << 12) | tenths(b.power, 0, 0xfff, 'power'));
      if (b.extra) w.bytes(b.extra);
      return;
    case 'seeworld':
      w.u8(b.voltageLevel).u8(b.gsmSignal).u8(b.power);
      if (b.language !== undefined) w.u8(b.language);
      if (b.extra) w.bytes(b.extra);
      return;
    default: {
      const never: never = b;
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `heartbeat layout ${JSON.stringify(never)}`);
    }
  }
}

export const m13Heartbeat = defineMessage({
  type: 'heartbeat',
  protocols: [0x13],
  direction: 'up',
  // Content present, either form (clone firmware sends 0x13 without serial / CRC, D9).
  match: (f) => f.contentLength > 0,
  decode: decodeHeartbeat,
  encode: (w, b: Heartbeat) => encodeHeartbeat(w, b),
});

export const m23HeartbeatVoltage = defineMessage({
  type: 'heartbeat-voltage',
  protocols: [0x23],
  direction: 'up',
  decode(r): HeartbeatVoltage {
    const terminalInfo = decodeTerminalInfo(r.u8());
    const voltage = r.u16() / 100;
    const g = r.u8();
    const body: HeartbeatVoltage = { terminalInfo, voltage, gsmSignal: g };
    gsm(body, g);
    languageWord(r, body);
    if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: HeartbeatVoltage) {
    w.u8(encodeTerminalInfo(b.terminalInfo)).u16(hundredths(b.voltage, 'voltage')).u8(b.gsmSignal);
    writeLanguageWord(w, b);
    if (b.extra) w.bytes(b.extra);
  },
});
