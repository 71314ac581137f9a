import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { readShortText, writeBcdDigits, writeFixedText, writeShortText } from './terminal-fields.ts';

/**
 * 0x0107 Query terminal attributes response (T→P), the answer to 0x8107. Layout from SmallChi
 * `JT808_0x0107.cs` (protocols/jt808-jt1078.md §3); not in 2011.
 *
 * | field                  | 2013      | 2019      | notes                                           |
 * |------------------------|-----------|-----------|-------------------------------------------------|
 * | terminal type          | WORD      | WORD      | bit flags, see `terminalType`                   |
 * | manufacturer id        | BYTE[5]   | BYTE[11]  | NUL-padded (some 2019 terminals: BYTE[5])       |
 * | terminal model         | BYTE[20]  | BYTE[30]  | NUL-padded                                      |
 * | terminal id            | BYTE[7]   | BYTE[30]  | NUL-padded                                      |
 * | SIM ICCID              | BCD[10]   | BCD[10]   | 20 digits                                       |
 * | hardware version len   | BYTE      | BYTE      |                                                 |
 * | hardware version       | STRING    | STRING    |                                                 |
 * | firmware version len   | BYTE      | BYTE      |                                                 |
 * | firmware version       | STRING    | STRING    |                                                 |
 * | GNSS module attributes | BYTE      | BYTE      | bit0 GPS, bit1 BeiDou, bit2 GLONASS, bit3 Galileo |
 * | comms module attributes| BYTE      | BYTE      | bit0 GPRS … bit5 TD-LTE, bit7 other             |
 *
 * The 2019 manufacturer id is BYTE[11] in the 2019 register message, and a real 2019 terminal
 * sends 11 here too (SmallChi `JT808_0x0107Test.Test5`), but SmallChi itself reads BYTE[5] in
 * both editions and another real 2019 terminal sends 5 (`Test4`, model CK100C). The body is
 * therefore self-checking: the decoder tries the layouts (the header's edition first) and takes
 * the one whose two length-prefixed versions end exactly two bytes before the end of the body;
 * when none does, it reads the header's layout and lets the packet layer report the mismatch.
 * The check is a heuristic: a short-maker 2019 body whose bytes at the wide layout's length
 * positions happen to line up (very short or empty version strings) reads as the wide layout.
 * `edition` and `shortMakerId` record the layout found; the encoder follows them. Version strings
 * lose trailing NULs, with a raw copy when needed (see terminal-fields.ts).
 */
export interface TerminalAttributes {
  /** Body layout: 2013 (narrow fields) or 2019 (wide fields). */
  edition: 2013 | 2019;
  /** 2019 body whose manufacturer id is BYTE[5] as in 2013 (SmallChi's layout). Absent otherwise. */
  shortMakerId?: true;
  /**
   * Terminal type bits: 0 passenger vehicles, 1 dangerous goods, 2 ordinary freight, 3 taxi,
   * 6 hard-disk video recording, 7 split unit (0 = all-in-one), 8 trailer (2019).
   */
  terminalType: number;
  /** Manufacturer id, NUL padding trimmed. */
  makerId: string;
  /** Terminal model, NUL padding trimmed. */
  model: string;
  /** Terminal id, NUL padding trimmed. */
  terminalId: string;
  /** SIM ICCID, the 20 BCD digits as sent (a non-decimal filler nibble shows as a hex digit, e.g. `f`). */
  iccid: string;
  /** Hardware version (GBK), trailing NULs trimmed. */
  hardwareVersion: string;
  /** Hardware version bytes as sent; only when `hardwareVersion` would not re-encode to them. Wins when encoding. */
  hardwareVersionRaw?: Buffer;
  /** Firmware version (GBK), trailing NULs trimmed. */
  firmwareVersion: string;
  /** Firmware version bytes as sent; only when `firmwareVersion` would not re-encode to them. Wins when encoding. */
  firmwareVersionRaw?: Buffer;
  /** GNSS module bits: 0 GPS, 1 BeiDou, 2 GLONASS, 3 Galileo. */
  gnssAttributes: number;
  /** Communication module bits: 0 GPRS, 1 CDMA, 2 TD-SCDMA, 3 WCDMA, 4 CDMA2000, 5 TD-LTE, 7 other. */
  commsAttributes: number;
}

interface Layout {
  edition: 2013 | 2019;
  short: boolean;
  maker: number;
  model: number;
  id: number;
}

const L2013: Layout = { edition: 2013, short: false, maker: 5, model: 20, id: 7 };
const L2019: Layout = { edition: 2019, short: false, maker: 11, model: 30, id: 30 };
const L2019_SHORT: Layout = { edition: 2019, short: true, maker: 5, model: 30, id: 30 };
const ORDER_2013 = [L2013, L2019, L2019_SHORT] as const;
const ORDER_2019 = [L2019, L2019_SHORT, L2013] as const;
const ICCID_LENGTH = 10;

/** Does the body [pos, end) have exactly the length this layout implies? */
function fits(buf: Buffer, pos: number, end: number, l: Layout): boolean {
  let p = pos + 2 + l.maker + l.model + l.id + ICCID_LENGTH;
  if (p >= end) return false;
  p += 1 + buf[p]!;
  if (p >= end) return false;
  p += 1 + buf[p]!;
  return p + 2 === end;
}

export const m0107 = defineMessage({
  msgId: 0x0107,
  type: 'terminal-attributes',
  direction: 'up',
  decode(r, ctx): TerminalAttributes {
    const order = ctx.version === 2019 ? ORDER_2019 : ORDER_2013;
    let l: Layout = order[0];
    for (const candidate of order) {
      if (fits(r.buf, r.pos, r.end, candidate)) {
        l = candidate;
        break;
      }
    }
    const terminalType = r.u16();
    const makerId = r.fixedString(l.maker);
    const model = r.fixedString(l.model);
    const terminalId = r.fixedString(l.id);
    const iccid = r.bcd(ICCID_LENGTH);
    const hardware = readShortText(r);
    const firmware = readShortText(r);
    const gnssAttributes = r.u8();
    const commsAttributes = r.u8();
    const body: TerminalAttributes = {
      edition: l.edition,
      terminalType,
      makerId,
      model,
      terminalId,
      iccid,
      hardwareVersion: hardware.text,
      firmwareVersion: firmware.text,
      gnssAttributes,
      commsAttributes,
    };
    if (l.short) body.shortMakerId = true;
    if (hardware.raw) body.hardwareVersionRaw = hardware.raw;
    if (firmware.raw) body.firmwareVersionRaw = firmware.raw;
    return body;
  },
  encode(w, b: TerminalAttributes) {
    let l: Layout;
    if (b.edition === 2013) l = L2013;
    else if (b.edition === 2019) l = b.shortMakerId ? L2019_SHORT : L2019;
    else throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `edition ${String(b.edition)} is not 2013/2019`);
    if (b.edition === 2013 && b.shortMakerId)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'shortMakerId applies to the 2019 edition only');
    w.u16(b.terminalType);
    writeFixedText(w, b.makerId, l.maker, 'makerId');
    writeFixedText(w, b.model, l.model, 'model');
    writeFixedText(w, b.terminalId, l.id, 'terminalId');
    writeBcdDigits(w, b.iccid, ICCID_LENGTH, 'iccid');
    writeShortText(w, b.hardwareVersion, b.hardwareVersionRaw, 'hardwareVersion');
    writeShortText(w, b.firmwareVersion, b.firmwareVersionRaw, 'firmwareVersion');
    w.u8(b.gnssAttributes).u8(b.commsAttributes);
  },
});
