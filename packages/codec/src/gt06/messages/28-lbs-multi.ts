import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import {
  type Gt06CellEntry,
  type Gt06CellFormat,
  type Gt06WifiAccessPoint,
  readCellId,
  readLac,
  readMac,
  readMccMnc,
  readTime,
  writeCellId,
  writeLac,
  writeMac,
  writeMccMnc,
  writeTime,
} from '../fields.ts';
import { defineMessage, type Gt06Context } from '../message.ts';

/**
 * LBS multi-cell ↑: 0x28 (2G, UTC), 0xA1 (4G), 0x18 (LBS extension, classic);
 * LBS + WiFi ↑: 0x2C (2G; Q2, HVT001), 0xA2 (4G; GK310, LL-series).
 * D1 §4–5, D2 §4 and §11, D4; protocols/jimi-gt06.md §5.6.
 *
 * | bytes                      | field                                                  |
 * |----------------------------|--------------------------------------------------------|
 * | 6                          | date-time (UTC on current models)                      |
 * | 2                          | MCC (bit 15 set → MNC is 2 bytes)                      |
 * | 1 / 2                      | MNC                                                    |
 * | 7 × (LAC 2/4, CI 3/8, 1)   | serving cell, then 6 neighbours; RSSI 00 weakest .. FF |
 * | 1                          | timing advance                                         |
 * | 0x2C / 0xA2: 1 + n × 7     | WiFi count, n × (MAC 6 + strength 1)                   |
 * | 0x28 / 0xA1 / 0x18: 2      | language                                               |
 *
 * 0xA1 / 0xA2 use 4G sizes (LAC 4, CI 8). Empty neighbour slots are zeros (kept, 7 always).
 * 0xA2 with LEN 0x40 is LW4G's GPS + LBS + status (§6), not this layout. No reply (documents).
 */
export interface LbsMulti {
  time: Date | null;
  mcc: number;
  mnc: number;
  mncTwoBytes: boolean;
  /** Serving cell then six neighbours, as sent (empty slots are zeros). */
  cells: Gt06CellEntry[];
  timingAdvance: number;
  language?: number;
  extra?: Buffer;
}

export interface WifiLbs extends Omit<LbsMulti, 'language'> {
  wifi: Gt06WifiAccessPoint[];
}

const CELL_COUNT = 7;

function formatOf(protocol: number): Gt06CellFormat {
  return protocol === 0xa1 || protocol === 0xa2 ? '4g' : '2g';
}

function readCells(r: Reader, format: Gt06CellFormat, ctx: Gt06Context) {
  const time = readTime(r, ctx);
  const { mcc, mnc, mncTwoBytes } = readMccMnc(r, format);
  const cells: Gt06CellEntry[] = [];
  for (let i = 0; i < CELL_COUNT; i++) {
    const lac = readLac(r, format);
    const cellId = readCellId(r, format);
    cells.push({ lac, cellId, rssi: r.u8() });
  }
  return { time, mcc, mnc, mncTwoBytes, cells, timingAdvance: r.u8() };
}

function writeCells(w: Writer, b: Omit<LbsMulti, 'language'>, format: Gt06CellFormat, ctx: Gt06Context): void {
  if (b.cells.length !== CELL_COUNT) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `cells must hold ${CELL_COUNT}`);
  writeTime(w, b.time, ctx);
  writeMccMnc(w, b, format);
  for (const c of b.cells) {
    writeLac(w, c.lac, format);
    writeCellId(w, c.cellId, format);
    w.u8(c.rssi);
  }
  w.u8(b.timingAdvance);
}

export const m28LbsMulti = defineMessage({
  type: 'lbs-multi',
  protocols: [0x18, 0x28, 0xa1],
  direction: 'up',
  decode(r, f, ctx): LbsMulti {
    const body: LbsMulti = readCells(r, formatOf(f.protocol), ctx);
    if (r.remaining === 2) body.language = r.u16();
    else if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: LbsMulti, protocol, ctx) {
    writeCells(w, b, formatOf(protocol), ctx);
    if (b.language !== undefined) w.u16(b.language);
    if (b.extra) w.bytes(b.extra);
  },
});

export const m2cWifiLbs = defineMessage({
  type: 'wifi-lbs',
  protocols: [0x2c, 0xa2],
  direction: 'up',
  // §6: 0xA2 with LEN 0x40 is the LW4G GPS + LBS + status message.
  match: (f) => !f.clone && f.contentLength > 0 && !(f.protocol === 0xa2 && f.length === 0x40),
  decode(r, f, ctx): WifiLbs {
    const base = readCells(r, formatOf(f.protocol), ctx);
    const n = r.u8();
    const wifi: Gt06WifiAccessPoint[] = [];
    for (let i = 0; i < n; i++) wifi.push({ mac: readMac(r), rssi: r.u8() });
    const body: WifiLbs = { ...base, wifi };
    if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: WifiLbs, protocol, ctx) {
    writeCells(w, b, formatOf(protocol), ctx);
    w.u8(b.wifi.length);
    for (const ap of b.wifi) {
      writeMac(w, ap.mac);
      w.u8(ap.rssi);
    }
    if (b.extra) w.bytes(b.extra);
  },
});
