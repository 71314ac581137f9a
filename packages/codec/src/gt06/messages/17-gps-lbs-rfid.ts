import { CodecError } from '../../errors.ts';
import { type Gt06Cell, type Gt06Gps, readCell, readExtra, readGps, writeCell, writeGps } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x17 with LEN 0x28: GPS + LBS + RFID ↑ (T-DEC variant table; protocols/jimi-gt06.md §6, §4).
 * 0x17 has four meanings (§8.7); this one is told apart by its length. The others are the
 * clone WiFi form (69-wifi-bcd.ts), the Chinese address reply (97-address-reply.ts) and the
 * GT03 LBS + phone query (not decoded).
 *
 * | bytes | field                              |
 * |-------|------------------------------------|
 * | 18    | GPS block (§3.3)                   |
 * | 8     | 2G cell block (§3.4)               |
 * | 8     | RFID / driver card id (raw)        |
 * | n     | tail (1 byte in the fixture), raw  |
 */
export interface GpsLbsRfid {
  gps: Gt06Gps;
  cell: Gt06Cell;
  /** Card id, 8 bytes as sent. */
  rfid: Buffer;
  extra?: Buffer;
}

export const m17GpsLbsRfid = defineMessage({
  type: 'gps-lbs-rfid',
  protocols: [0x17],
  direction: 'up',
  match: (f) => !f.clone && f.start === 'short' && f.length === 0x28,
  decode(r, _f, ctx): GpsLbsRfid {
    const body: GpsLbsRfid = { gps: readGps(r, ctx), cell: readCell(r, '2g'), rfid: r.bytes(8) };
    const extra = readExtra(r);
    if (extra) body.extra = extra;
    return body;
  },
  encode(w, b: GpsLbsRfid, _p, ctx) {
    writeGps(w, b.gps, ctx);
    writeCell(w, b.cell, '2g');
    if (b.rfid.length !== 8) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'rfid must be 8 bytes');
    w.bytes(b.rfid);
    if (b.extra) w.bytes(b.extra);
  },
});
