import type { Reader } from '../../core/reader.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage, type Jt808Context } from '../message.ts';
import { readRestText, writeFixedText, writeRestText } from './terminal-fields.ts';

/**
 * 0x0100 Terminal register (T→P); answered with **0x8100**. protocols/jt808-jt1078.md §5.1
 * (SmallChi `JT808_0x0100.cs`, go-jt808 `t_0x0100.go`).
 *
 * | field           | 2011    | 2013     | 2019     | notes                                     |
 * |-----------------|---------|----------|----------|-------------------------------------------|
 * | province id     | WORD    | WORD     | WORD     | GB/T 2260 first two digits, 0 = default   |
 * | city/county id  | WORD    | WORD     | WORD     | GB/T 2260 last four digits, 0 = default   |
 * | manufacturer id | BYTE[5] | BYTE[5]  | BYTE[11] | NUL-padded                                |
 * | terminal model  | BYTE[8] | BYTE[20] | BYTE[30] | NUL-padded                                |
 * | terminal id     | BYTE[7] | BYTE[7]  | BYTE[30] | NUL-padded                                |
 * | plate colour    | BYTE    | BYTE     | BYTE     | JT/T 415 / JT/T 697.7: 0 unplated, 1 blue …|
 * | plate / VIN     | STRING  | STRING   | STRING   | rest of body, GBK; the VIN when colour = 0 |
 *
 * Edition: a 2019 header means the 2019 layout. 2011 and 2013 share the header and can only be
 * told apart by the body: a 2013 body has at least 37 bytes (25 in 2011), so a shorter one is
 * 2011 (go-jt808: `len(body) > 36`; SmallChi likewise counts the bytes left). A 2011 body with a
 * plate or VIN of 12+ bytes is also that long; it is recognised because its colour byte (offset
 * 24) looks like a colour code while offset 36, the 2013 colour, holds a plate/VIN character. The
 * edition found is recorded in the body and the encoder lays the body out by it (not by the
 * header version), so a decoded body re-encodes byte for byte.
 *
 * Text (see terminal-fields.ts): fixed fields lose only their NUL padding; the ASCII `'0'`
 * left-padding some 2019 terminals use is kept in the value (SmallChi
 * `JT808_0x0100Test.Test2019_4_2`: maker `000Koike002`). `plateRaw` is set only when the plate
 * bytes would not re-encode from `plate` (NUL-terminated plate, invalid GBK).
 */
export interface TerminalRegister {
  /** Body layout: 2011 (model BYTE[8]), 2013 (BYTE[20]) or 2019 (wider fields). */
  edition: 2011 | 2013 | 2019;
  /** Province id (GB/T 2260, first two digits of the six-digit code); 0 = platform default. */
  provinceId: number;
  /** City/county id (GB/T 2260, last four digits); 0 = platform default. */
  cityId: number;
  /** Manufacturer id (5 bytes, 11 in 2019), NUL padding trimmed. */
  makerId: string;
  /** Terminal model (8 / 20 / 30 bytes), NUL padding trimmed. */
  model: string;
  /** Terminal id (7 bytes, 30 in 2019), NUL padding trimmed. */
  terminalId: string;
  /** Plate colour: 0 unplated (then `plate` is the VIN), 1 blue, 2 yellow, 3 black, 4 white, 5 green (2019), 9 other. */
  plateColor: number;
  /** Plate number (GBK, e.g. 粤B12345), or the VIN when `plateColor` is 0. Trailing NULs trimmed. */
  plate: string;
  /** Plate bytes as sent; present only when `plate` would not re-encode to them. Wins over `plate` when encoding. */
  plateRaw?: Buffer;
}

/** Plate colours (JT/T 415-2006 §5.4.12; 2019 refers to JT/T 697.7-2014, which adds green). */
export const PlateColor = { unplated: 0, blue: 1, yellow: 2, black: 3, white: 4, green: 5, other: 9 } as const;

/** Field widths [manufacturer id, model, terminal id] per edition. */
const WIDTHS = { 2011: [5, 8, 7], 2013: [5, 20, 7], 2019: [11, 30, 30] } as const;
/** Bytes before the plate in a 2013 body (and offset of its colour byte + 1). */
const FIXED_2013 = 37;

/**
 * Could `c` be a plate colour byte? JT/T 415 / 697.7 codes are 0–5 and 9, and some platforms use
 * 91–94 (agricultural yellow/green, yellow-green, gradient green); anything below ASCII `'0'` is
 * accepted as a vendor code. Plate and VIN characters are ASCII letters/digits (0x30–0x5A) or
 * GBK bytes (≥ 0x81), which are not colours.
 */
function maybeColour(c: number): boolean {
  return c < 0x30 || (c >= 91 && c <= 94);
}

function detectEdition(r: Reader, ctx: Jt808Context): TerminalRegister['edition'] {
  if (ctx.version === 2019) return 2019;
  if (r.remaining < FIXED_2013) return 2011;
  const p = r.pos;
  // A 2011 body with a plate/VIN of 12+ bytes: colour at 24, a plate/VIN character at 36.
  if (!maybeColour(r.buf[p + 36]!) && maybeColour(r.buf[p + 24]!)) return 2011;
  return 2013;
}

export const m0100 = defineMessage({
  msgId: 0x0100,
  type: 'terminal-register',
  direction: 'up',
  decode(r, ctx): TerminalRegister {
    const edition = detectEdition(r, ctx);
    const [makerWidth, modelWidth, idWidth] = WIDTHS[edition];
    const provinceId = r.u16();
    const cityId = r.u16();
    const makerId = r.fixedString(makerWidth);
    const model = r.fixedString(modelWidth);
    const terminalId = r.fixedString(idWidth);
    const plateColor = r.u8();
    const plate = readRestText(r);
    const body: TerminalRegister = {
      edition,
      provinceId,
      cityId,
      makerId,
      model,
      terminalId,
      plateColor,
      plate: plate.text,
    };
    if (plate.raw) body.plateRaw = plate.raw;
    return body;
  },
  encode(w, b: TerminalRegister) {
    const widths = WIDTHS[b.edition];
    if (!widths) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `edition ${String(b.edition)} is not 2011/2013/2019`);
    const [makerWidth, modelWidth, idWidth] = widths;
    w.u16(b.provinceId).u16(b.cityId);
    writeFixedText(w, b.makerId, makerWidth, 'makerId');
    writeFixedText(w, b.model, modelWidth, 'model');
    writeFixedText(w, b.terminalId, idWidth, 'terminalId');
    w.u8(b.plateColor);
    writeRestText(w, b.plate, b.plateRaw, 'plate');
  },
});
