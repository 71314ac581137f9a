import { type Gt06Gps, readExtra, readGps, writeGps } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * Address request ↑: 0x2A (GPS address request, UTC; D2 §6) and 0x1A (classic GPS + phone
 * query, D5). protocols/jimi-gt06.md §5.7.
 *
 * | bytes | field                                                      |
 * |-------|------------------------------------------------------------|
 * | 18    | GPS block (§3.3)                                           |
 * | 21    | phone number, ASCII, NUL-padded                            |
 * | 2     | language: 00 01 Chinese, 00 02 English                     |
 *
 * Example `78 78 2E 2A 0F 0C 1D 07 11 39 CA 02 7A C8 00 0C 46 58 00 00 14 D8 31 32 ... 00 01 00 2A ...`.
 * Reply: an address, 0x17 (Chinese, UTF-16) or 0x97 (English), 97-address-reply.ts;
 * `ackFor` answers "not available" like traccar.
 */
export interface AddressRequest {
  gps: Gt06Gps;
  /** Phone number, NUL padding removed. */
  phone: string;
  /** 0x0001 Chinese, 0x0002 English. */
  language: number;
  extra?: Buffer;
}

export const m2aAddressRequest = defineMessage({
  type: 'address-request',
  protocols: [0x1a, 0x2a],
  direction: 'up',
  decode(r, _f, ctx): AddressRequest {
    const body: AddressRequest = { gps: readGps(r, ctx), phone: r.fixedAscii(21), language: r.u16() };
    const extra = readExtra(r);
    if (extra) body.extra = extra;
    return body;
  },
  encode(w, b: AddressRequest, _p, ctx) {
    writeGps(w, b.gps, ctx);
    w.fixedAscii(b.phone, 21).u16(b.language);
    if (b.extra) w.bytes(b.extra);
  },
});
