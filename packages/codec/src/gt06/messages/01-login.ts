import { CodecError } from '../../errors.ts';
import { readExtra, readImei, writeImei } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x01 Login ↑ (D1 §1.1, D2 §1; protocols/jimi-gt06.md §5.1, §3.9).
 *
 * | bytes | field                                                                       |
 * |-------|-----------------------------------------------------------------------------|
 * | 8     | terminal id: IMEI, packed BCD left-padded with a 0 nibble (§3.1)           |
 * | 2     | optional: type identification code (model id, e.g. 0x7000, 0xA001)          |
 * | 2     | optional: time zone / language: bits 15..4 = |offset| as hhmm, bit 3 = west, |
 * |       | bit 2 unused, bits 1..0 = language select                                   |
 *
 * Forms: classic GT06 LEN 0x0D (IMEI only); current models LEN 0x11 (IMEI + type + zone);
 * clone firmware (365GPS style, D9, §8.6): a 15-byte frame, IMEI + 1 software-version byte and
 * no serial or CRC (byte 2 is "reserved", sent as 0x0D).
 * Reply: `78 78 05 01 <serial> <crc> 0D 0A` within 5 s (`ackFor`).
 */
export interface Gt06TimeZone {
  /** Minutes east of UTC (negative = west, bit 3). */
  offsetMinutes: number;
  /** Bits 1..0: language select (the documents disagree on which bit means Chinese). */
  language: number;
}

export interface Login {
  /** 15-digit IMEI (the 0 pad nibble dropped). */
  imei: string;
  typeCode?: number;
  timeZone?: Gt06TimeZone;
  /** Clone form only: the byte after the IMEI (software version, D9). */
  softwareVersion?: number;
  extra?: Buffer;
}

export function decodeTimeZone(v: number): Gt06TimeZone {
  const hhmm = v >> 4;
  const minutes = Math.floor(hhmm / 100) * 60 + (hhmm % 100);
  return { offsetMinutes: (v & 0x08) !== 0 ? -minutes : minutes, language: v & 0x03 };
}

export function encodeTimeZone(tz: Gt06TimeZone): number {
  const abs = Math.abs(tz.offsetMinutes);
  const hhmm = Math.floor(abs / 60) * 100 + (abs % 60);
  if (!Number.isInteger(tz.offsetMinutes) || hhmm > 0xfff) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `time zone offset ${tz.offsetMinutes} min`);
  }
  if (!Number.isInteger(tz.language) || tz.language < 0 || tz.language > 3) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `language bits ${tz.language}`);
  }
  return (hhmm << 4) | (tz.offsetMinutes < 0 ? 0x08 : 0) | tz.language;
}

export const m01Login = defineMessage({
  type: 'login',
  protocols: [0x01],
  direction: 'up',
  // Content present (an empty 0x01 is the server's login ack), either form.
  match: (f) => f.contentLength > 0,
  decode(r, f): Login {
    const body: Login = { imei: readImei(r) };
    if (f.clone) {
      // D9: IMEI + software version, no serial / CRC.
      if (r.remaining > 0) body.softwareVersion = r.u8();
    } else {
      if (r.remaining >= 2) body.typeCode = r.u16();
      if (r.remaining >= 2) body.timeZone = decodeTimeZone(r.u16());
    }
    const extra = readExtra(r);
    if (extra) body.extra = extra;
    return body;
  },
  encode(w, b: Login) {
    writeImei(w, b.imei);
    if (b.softwareVersion !== undefined) w.u8(b.softwareVersion);
    if (b.typeCode !== undefined) w.u16(b.typeCode);
    if (b.timeZone) {
      if (b.typeCode === undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'timeZone needs typeCode');
      w.u16(encodeTimeZone(b.timeZone));
    }
    if (b.extra) w.bytes(b.extra);
  },
  cloneByte: () => 0x0d,
});
