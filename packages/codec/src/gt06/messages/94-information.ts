import { bcdToString } from '../../core/bcd.ts';
import type { Reader } from '../../core/reader.ts';
import { CodecError } from '../../errors.ts';
import { bcdDigitsTrimF, readTime, writeImei, writeTime } from '../fields.ts';
import { defineMessage, type Gt06Context } from '../message.ts';

/**
 * 0x94 Information transmission ↑, long header, no reply (D1 §10, D2 §9; T-DEC;
 * protocols/jimi-gt06.md §5.10). Content = sub-type (1) + data:
 *
 * | sub | meaning                | layout                                                       |
 * |-----|------------------------|--------------------------------------------------------------|
 * | 00  | external power voltage | u16 / 100 V; VG04 appends 01 for ADC2                        |
 * | 04  | status sync            | ASCII `KEY=VAL;...` (ALM1..4, STA1, DYD, SOS, CENTER, FENCE, |
 * |     |                        | MODE, ICCID)                                                 |
 * | 05  | door / IO              | optional 6-byte time, flags: bit0 door, bit1 trigger level,  |
 * |     |                        | bit2 IO level                                                |
 * | 0A  | ICCID                  | IMEI BCD (8), IMSI BCD (8), ICCID BCD (10, `f` filled)       |
 * | 0B  | (traccar)              | 1 byte: network generation (> 0 = 4G); 2 bytes: power / 100 V |
 * | 1B  | RFID                   | ASCII `RFID:...`, or a card frame: header, type, id (4),     |
 * |     |                        | checksum, footer                                             |
 * | 1E  | (traccar)              | temperature i32 / 10 °C, humidity i32 / 10 %                 |
 * | *   | others (01–03 custom, 06, 08, 09, 0D fuel, 21, 23)        | kept raw                   |
 *
 * A short-header 0x94 with 2 bytes of content also occurs (`78 78 07 94 04 eb ...`): traccar
 * reads it as power = i16 / 100 V; that is the `external-power` message below.
 */
export type InformationContent =
  | { kind: 'external-voltage' /** Volts. */; voltage: number /** VG04: the trailing 01 marks ADC2. */; adc2?: true }
  | { kind: 'status-sync'; text: string /** `text` split at `;` and the first `=`. */; fields: Record<string, string> }
  | { kind: 'door'; time?: Date | null; door: boolean; triggerHigh: boolean; ioHigh: boolean }
  | { kind: 'iccid'; imei: string; imsi: string; iccid: string }
  | { kind: 'network-generation' /** > 0 means 4G (traccar). */; value: number }
  | { kind: 'power' /** Volts (u16 / 100). */; voltage: number }
  | { kind: 'rfid-text' /** As sent (e.g. `RFID:008FB2BEBA39` + CR LF). */; text: string }
  | {
      kind: 'rfid-card';
      header: number;
      cardType: number /** 4-byte card id. */;
      id: Buffer;
      checksum: number;
      footer: number;
    }
  | { kind: 'temperature-humidity' /** °C. */; temperature: number /** %. */; humidity: number }
  | { kind: 'raw'; data: Buffer };

export interface Information {
  subType: number;
  content: InformationContent;
}

export interface ExternalPower {
  /** Volts (i16 / 100). */
  voltage: number;
}

export function parseStatusSync(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return fields;
}

function decodeContent(subType: number, r: Reader, ctx: Gt06Context): InformationContent {
  const n = r.remaining;
  switch (subType) {
    case 0x00:
      if (n === 2 || (n === 3 && r.buf[r.pos + 2] === 0x01)) {
        const c: InformationContent = { kind: 'external-voltage', voltage: r.u16() / 100 };
        if (n === 3) {
          r.skip(1);
          c.adc2 = true;
        }
        return c;
      }
      break;
    case 0x04: {
      let e = r.end;
      while (e > r.pos && r.buf[e - 1] === 0) e--;
      const text = r.buf.toString('latin1', r.pos, e);
      r.pos = r.end;
      return { kind: 'status-sync', text, fields: parseStatusSync(text) };
    }
    case 0x05:
      if (n === 1 || n === 7) {
        const time = n === 7 ? readTime(r, ctx) : undefined;
        const flags = r.u8();
        const c: InformationContent = {
          kind: 'door',
          door: (flags & 1) !== 0,
          triggerHigh: (flags & 2) !== 0,
          ioHigh: (flags & 4) !== 0,
        };
        if (time !== undefined) c.time = time;
        return c;
      }
      break;
    case 0x0a:
      if (n === 26) {
        const p = r.pos;
        r.pos = r.end;
        const imei = bcdToString(r.buf, p, p + 8);
        const imsi = bcdToString(r.buf, p + 8, p + 16);
        return {
          kind: 'iccid',
          imei: imei.charCodeAt(0) === 0x30 ? imei.slice(1) : imei,
          imsi: imsi.charCodeAt(0) === 0x30 ? imsi.slice(1) : imsi,
          iccid: bcdDigitsTrimF(r.buf, p + 16, p + 26),
        };
      }
      break;
    case 0x0b:
      if (n === 1) return { kind: 'network-generation', value: r.u8() };
      if (n === 2) return { kind: 'power', voltage: r.u16() / 100 };
      break;
    case 0x1b: {
      const first = r.buf[r.pos]!;
      const letter = (first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a);
      if (letter) return { kind: 'rfid-text', text: r.rest().toString('latin1') };
      if (n === 8) {
        const header = r.u8();
        const cardType = r.u8();
        const id = r.bytes(4);
        return { kind: 'rfid-card', header, cardType, id, checksum: r.u8(), footer: r.u8() };
      }
      break;
    }
    case 0x1e:
      if (n === 8) return { kind: 'temperature-humidity', temperature: r.i32() / 10, humidity: r.i32() / 10 };
      break;
    default:
      break;
  }
  return { kind: 'raw', data: r.rest() };
}

const SUB_TYPES = {
  'external-voltage': 0x00,
  'status-sync': 0x04,
  door: 0x05,
  iccid: 0x0a,
  'network-generation': 0x0b,
  power: 0x0b,
  'rfid-text': 0x1b,
  'rfid-card': 0x1b,
  'temperature-humidity': 0x1e,
} as const;

export const m94Information = defineMessage({
  type: 'information',
  protocols: [0x94],
  direction: 'up',
  decode(r, _f, ctx): Information {
    const subType = r.u8();
    return { subType, content: decodeContent(subType, r, ctx) };
  },
  encode(w, b: Information, _p, ctx) {
    const c = b.content;
    if (c.kind !== 'raw' && SUB_TYPES[c.kind] !== b.subType) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `sub-type 0x${b.subType.toString(16)} does not carry ${c.kind}`);
    }
    w.u8(b.subType);
    switch (c.kind) {
      case 'external-voltage': {
        const v = Math.round(c.voltage * 100);
        if (!(v >= 0 && v <= 0xffff)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `voltage ${c.voltage}`);
        w.u16(v);
        if (c.adc2) w.u8(0x01);
        return;
      }
      case 'status-sync':
        w.bytes(Buffer.from(c.text, 'latin1'));
        return;
      case 'door':
        if (c.time !== undefined) writeTime(w, c.time, ctx);
        w.u8((c.door ? 1 : 0) | (c.triggerHigh ? 2 : 0) | (c.ioHigh ? 4 : 0));
        return;
      case 'iccid': {
        writeImei(w, c.imei);
        writeImei(w, c.imsi, 'IMSI');
        if (!/^[0-9]{1,20}$/.test(c.iccid)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `ICCID "${c.iccid}"`);
        w.bcd(c.iccid + 'f'.repeat(20 - c.iccid.length), 10);
        return;
      }
      case 'network-generation':
        w.u8(c.value);
        return;
      case 'power': {
        const v = Math.round(c.voltage * 100);
        if (!(v >= 0 && v <= 0xffff)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `voltage ${c.voltage}`);
        w.u16(v);
        return;
      }
      case 'rfid-text':
        w.bytes(Buffer.from(c.text, 'latin1'));
        return;
      case 'rfid-card':
        if (c.id.length !== 4) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'RFID card id must be 4 bytes');
        w.u8(c.header).u8(c.cardType).bytes(c.id).u8(c.checksum).u8(c.footer);
        return;
      case 'temperature-humidity':
        w.i32(Math.round(c.temperature * 10)).i32(Math.round(c.humidity * 10));
        return;
      case 'raw':
        w.bytes(c.data);
        return;
      default: {
        const never: never = c;
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `content ${JSON.stringify(never)}`);
      }
    }
  },
});

export const m94ExternalPower = defineMessage({
  type: 'external-power',
  protocols: [0x94],
  direction: 'up',
  match: (f) => !f.clone && f.start === 'short' && f.contentLength === 2,
  decode(r): ExternalPower {
    return { voltage: r.i16() / 100 };
  },
  encode(w, b: ExternalPower) {
    w.i16(Math.round(b.voltage * 100));
  },
});
