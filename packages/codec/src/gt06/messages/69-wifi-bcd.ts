import { CodecError } from '../../errors.ts';
import { type Gt06CellEntry, type Gt06WifiAccessPoint, readMac, writeMac } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * Clone "0x69 / 0x17 BCD" WiFi + LBS ↑ and its reply ↓ (Topin, 365GPS-style firmware; D3, D9,
 * T-DEC; protocols/jimi-gt06.md §8.6). 0x69 = online, 0x17 = buffered / offline.
 *
 * `78 78 <WiFi count> <69|17> <content> 0D 0A`, no length, serial or CRC:
 * | bytes      | field                                         |
 * |------------|-----------------------------------------------|
 * | 6          | date-time, BCD YYMMDDhhmmss (not binary)      |
 * | n × 7      | n = byte 2: MAC (6) + RSSI (1)                |
 * | 1          | cell count m                                  |
 * | 2          | MCC                                           |
 * | 1          | MNC                                           |
 * | m × 5      | LAC (2) + CI (2) + RSSI (1)                   |
 *
 * Reply (required, D9; T-DEC): `78 78 00 <69|17> <the same 6 BCD time bytes> 0D 0A`, the
 * `wifi-bcd-reply` message below (`ackFor` builds it).
 */
export interface WifiBcd {
  /** BCD date-time in the wire time zone; null when not valid BCD / date. */
  time: Date | null;
  wifi: Gt06WifiAccessPoint[];
  mcc: number;
  mnc: number;
  /** LAC u16, CI u16, RSSI. */
  cells: Gt06CellEntry[];
  extra?: Buffer;
}

export interface WifiBcdReply {
  time: Date | null;
}

export const m69WifiBcd = defineMessage({
  type: 'wifi-bcd',
  protocols: [0x69, 0x17],
  direction: 'up',
  match: (f) => f.clone && f.start === 'short' && !(f.length === 0 && f.contentLength === 6),
  decode(r, f, ctx): WifiBcd {
    const time = r.bcdTime(ctx.timeOffsetMinutes);
    const wifi: Gt06WifiAccessPoint[] = [];
    // Byte 2 is the WiFi count in this form.
    for (let i = 0; i < f.length; i++) wifi.push({ mac: readMac(r), rssi: r.u8() });
    const m = r.u8();
    const mcc = r.u16();
    const mnc = r.u8();
    const cells: Gt06CellEntry[] = [];
    for (let i = 0; i < m; i++) cells.push({ lac: r.u16(), cellId: r.u16(), rssi: r.u8() });
    const body: WifiBcd = { time, wifi, mcc, mnc, cells };
    if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: WifiBcd, _p, ctx) {
    if (b.wifi.length > 0xff || b.cells.length > 0xff)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'too many entries');
    w.bcdTime(b.time, ctx.timeOffsetMinutes);
    for (const ap of b.wifi) {
      writeMac(w, ap.mac);
      w.u8(ap.rssi);
    }
    w.u8(b.cells.length).u16(b.mcc).u8(b.mnc);
    for (const c of b.cells) w.u16(c.lac).u16(c.cellId).u8(c.rssi);
    if (b.extra) w.bytes(b.extra);
  },
  cloneByte: (b) => b.wifi.length,
});

export const m69WifiBcdReply = defineMessage({
  type: 'wifi-bcd-reply',
  protocols: [0x69, 0x17],
  direction: 'down',
  match: (f) => f.clone && f.start === 'short' && f.length === 0 && f.contentLength === 6,
  decode(r, _f, ctx): WifiBcdReply {
    return { time: r.bcdTime(ctx.timeOffsetMinutes) };
  },
  encode(w, b: WifiBcdReply, _p, ctx) {
    w.bcdTime(b.time, ctx.timeOffsetMinutes);
  },
  cloneByte: () => 0,
});
