import { type Gt06Gps, readExtra, readGps, writeGps } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x10 GPS only ↑ (classic GT03 family, D5/D6; 365GPS clones: "GPS online", D9) and the clone
 * form of 0x11 ("GPS offline", D9). protocols/jimi-gt06.md §4, §8.1, §8.6.
 *
 * | bytes | field                         |
 * |-------|-------------------------------|
 * | 18    | GPS block (§3.3)              |
 * | n     | model-specific tail, kept raw |
 *
 * The clone forms have no serial / CRC; their byte 2 is the content length rather than LEN.
 * Clone firmware expects a reply (`ackFor`); standard 0x10 needs none.
 */
export interface GpsOnly {
  gps: Gt06Gps;
  extra?: Buffer;
}

export const m10Gps = defineMessage({
  type: 'gps',
  protocols: [0x10, 0x11],
  direction: 'up',
  // 0x10 in both forms; 0x11 only in the clone form (the standard 0x11 is a location, 12-location.ts).
  match: (f) => f.contentLength > 0 && (f.protocol === 0x10 || f.clone),
  decode(r, _f, ctx): GpsOnly {
    const body: GpsOnly = { gps: readGps(r, ctx) };
    const extra = readExtra(r);
    if (extra) body.extra = extra;
    return body;
  },
  encode(w, b: GpsOnly, _p, ctx) {
    writeGps(w, b.gps, ctx);
    if (b.extra) w.bytes(b.extra);
  },
  cloneByte: (b) => 18 + (b.extra?.length ?? 0),
});
