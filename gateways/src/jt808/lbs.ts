/**
 * JT/T 808 base-station / WiFi data → an LBS query (docs/lbs.md "Gateway use").
 *
 * JT/T 808 itself has no cell item; vendors put cells and access points in 0x0200 additional items
 * (protocols/jt808-jt1078.md §6.4: custom ids 0x51–0x6C, 0xE1–0xFF, the 0xEB extended block). The
 * codec keeps those items raw (`kind: 'unknown'`); this table reads the layouts we know, one entry
 * per (item id [, sub-type]) — adding a vendor layout is one entry (convention 4):
 *
 * | item                     | layout (big-endian)                                                    | source        |
 * |--------------------------|------------------------------------------------------------------------|---------------|
 * | 0xEB, sub-type 0x00D8    | sub-items `length WORD (incl. type), type WORD, value`; 0x00D8 = one cell: MCC WORD, MNC BYTE, LAC WORD, CI DWORD | traccar (our reading; verify with a device) |
 * | 0x54                     | WiFi: count BYTE, count × (MAC 6, RSSI signed BYTE dBm)                 | traccar (our reading; verify) |
 * | 0x5D                     | cells: MCC WORD, MNC BYTE, count BYTE, count × (LAC WORD, CI DWORD, RSSI BYTE) | project layout for simulators and vendors that ask for one |
 *
 * A malformed item contributes nothing (never an exception); the location report is published as
 * usual either way.
 */
import type { jt808 } from '@iothub/codec';
import type { LocationQuery } from '../common/protocol.ts';

type Cell = LocationQuery['cells'][number];
type Wifi = LocationQuery['wifi'][number];

function mac(b: Buffer, o: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[o + i]!.toString(16).padStart(2, '0');
  return s;
}

function addCell(out: Cell[], mcc: number, mnc: number, lac: number, ci: number, rssi?: number): void {
  if ((lac === 0 && ci === 0) || mcc > 999 || mnc > 999) return;
  out.push(rssi === undefined || rssi === 0 ? { mcc, mnc, lac, ci } : { mcc, mnc, lac, ci, rssi });
}

/** 0xEB: sub-items `length WORD, type WORD, value (length − 2)`. */
function readEb(raw: Buffer, cells: Cell[]): void {
  let o = 0;
  while (o + 4 <= raw.length) {
    const len = raw.readUInt16BE(o);
    const type = raw.readUInt16BE(o + 2);
    const end = o + 2 + len;
    if (len < 2 || end > raw.length) return;
    if (type === 0x00d8 && len - 2 >= 9) {
      const v = o + 4;
      addCell(cells, raw.readUInt16BE(v), raw[v + 2]!, raw.readUInt16BE(v + 3), raw.readUInt32BE(v + 5));
    }
    o = end;
  }
}

function read54(raw: Buffer, wifi: Wifi[]): void {
  const n = raw[0] ?? 0;
  for (let i = 0; i < n && 1 + i * 7 + 7 <= raw.length; i++) {
    const o = 1 + i * 7;
    const m = mac(raw, o);
    if (m === '00:00:00:00:00:00') continue;
    const rssi = raw.readInt8(o + 6);
    wifi.push(rssi === 0 ? { mac: m } : { mac: m, rssi });
  }
}

function read5d(raw: Buffer, cells: Cell[]): void {
  if (raw.length < 4) return;
  const mcc = raw.readUInt16BE(0);
  const mnc = raw[2]!;
  const n = raw[3]!;
  for (let i = 0; i < n && 4 + i * 7 + 7 <= raw.length; i++) {
    const o = 4 + i * 7;
    addCell(cells, mcc, mnc, raw.readUInt16BE(o), raw.readUInt32BE(o + 2), raw[o + 6]!);
  }
}

/** Cells and access points in a report's items; null when there are none. */
export function lbsQueryOfReport(report: jt808.LocationReport, imei: string): LocationQuery | null {
  const cells: Cell[] = [];
  const wifi: Wifi[] = [];
  for (const item of report.items) {
    if (item.kind !== 'unknown') continue;
    if (item.id === 0xeb) readEb(item.raw, cells);
    else if (item.id === 0x54) read54(item.raw, wifi);
    else if (item.id === 0x5d) read5d(item.raw, cells);
  }
  return cells.length + wifi.length > 0 ? { imei, cells, wifi } : null;
}

/** Build a 0x5D item value (tests, simulators). */
export function encodeCells5d(mcc: number, mnc: number, cells: { lac: number; ci: number; rssi: number }[]): Buffer {
  const b = Buffer.alloc(4 + cells.length * 7);
  b.writeUInt16BE(mcc, 0);
  b[2] = mnc;
  b[3] = cells.length;
  cells.forEach((c, i) => {
    b.writeUInt16BE(c.lac, 4 + i * 7);
    b.writeUInt32BE(c.ci, 6 + i * 7);
    b[10 + i * 7] = c.rssi;
  });
  return b;
}
