import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage, type Jt808Context } from '../message.ts';
import {
  readFixedText,
  readShortText,
  writeBcdDigits,
  writeFixedTextOrRaw,
  writeShortText,
} from './terminal-fields.ts';

/**
 * 0x0702 Driver identity report (T→P), sent when a driver's qualification IC card is inserted or
 * removed, or in answer to 0x8702; answered with 0x8001. Layout from SmallChi `JT808_0x0702.cs`
 * (2011 / 2013 / 2019, including its "808-2019 supplement" tail; `JT808_0x0702Test`);
 * traccar's 0x0702 test frame (certificate code `0029b885`) has the same 2013 layout.
 *
 * | field                     | 2013     | 2019     | notes                                            |
 * |---------------------------|----------|----------|--------------------------------------------------|
 * | status                    | BYTE     | BYTE     | 1 card inserted (on duty), 2 removed (off duty)  |
 * | time                      | BCD[6]   | BCD[6]   | YYMMDDhhmmss of the insertion / removal          |
 * | IC card read result       | BYTE     | BYTE     | only when status = 1: 0 ok, 1 key authentication failed, 2 card locked, 3 card pulled out, 4 checksum error |
 * | driver name length        | BYTE     | BYTE     | this and below only when the read result is 0    |
 * | driver name               | STRING   | STRING   | GBK                                              |
 * | qualification certificate | BYTE[20] | BYTE[20] | NUL-padded                                       |
 * | issuer name length        | BYTE     | BYTE     |                                                  |
 * | issuer name               | STRING   | STRING   | GBK                                              |
 * | certificate validity      | BCD[4]   | BCD[4]   | YYYYMMDD                                         |
 * | driver id card number     | –        | BYTE[20] | NUL-padded                                       |
 * | face match                | –        | BYTE     | optional supplement: 0–100 (% match)             |
 * | id card UID               | –        | BYTE[20] | optional supplement, NUL-padded                  |
 *
 * 2011 layout (JT/T 808-2011; SmallChi `JT808_0x0702.cs` 2011 branch and `Test2011_*`): no
 * status, time, read result or validity date.
 *
 * | field                     | 2011     | notes                                             |
 * |---------------------------|----------|---------------------------------------------------|
 * | driver name length        | BYTE     | n                                                 |
 * | driver name               | STRING   | GBK                                               |
 * | driver id card number     | BYTE[20] | NUL-padded                                        |
 * | qualification certificate | BYTE[40] | NUL-padded                                        |
 * | issuer name length        | BYTE     | m                                                 |
 * | issuer name               | STRING   | GBK; the body is exactly 62 + n + m bytes         |
 *
 * Edition: a 2019 header means 2013/2019. Behind a 2013-layout header (2011 and 2013 share it)
 * the body is 2013 when it decodes to its end that way with status 1 or 2; otherwise (bytes left
 * over, another status) it is 2011 when it fits the 2011 structure exactly (62 + n + m bytes, the
 * two lengths where they belong), else the 2013 reading stands, with its trailing bytes. SmallChi
 * instead takes any first byte other than 1 / 2 as a 2011 name length, which misreads a 2011 name
 * of 1 or 2 bytes (its own `Test2011_3`, "tk"); the exact fit reads it. Zero-filled fields make a
 * few bodies fit both layouts exactly: status 1 / 2 decides for 2013, any other first byte for
 * 2011. A 2011 body is marked `edition: 2011` and the encoder lays it out that way (under a
 * 2011/2013 header only).
 *
 * 2019 fields are recognised by the bytes left after the validity date rather than by the header
 * version (20 → id number; 41 → id number + supplement), so a 2019 body behind a 2013-layout
 * header decodes too (SmallChi `JT808_0x0702Test.Test4_1` is such a frame); the encoder writes
 * whichever of them are present.
 *
 * The spec fills the fields after the time only for status 1 (SmallChi stops there for status 2),
 * but some terminals fill them on removal too (SmallChi `Test2013_1`): for another status, bytes
 * after the time are read the same way when they parse, and left unread (reported as trailing by
 * the packet layer) when they do not.
 *
 * Text (see terminal-fields.ts): names lose trailing NULs; fixed fields lose NUL padding on both
 * sides, since SmallChi left-pads them (`PadLeft(20, '\0')`, `Test3`, `Test_2019_1`). A `…Raw`
 * copy of the bytes is returned only when the text would not re-encode to them (left padding,
 * padded names, invalid GBK), and wins when encoding.
 */
export type DriverIdentity = DriverIdentityReport | DriverIdentity2011;

/** The 2013 / 2019 body. */
export interface DriverIdentityReport {
  /** 1 card inserted (driver on duty), 2 card removed (driver off duty). */
  status: number;
  /** Insertion / removal time; null when the BCD field is zero or not a valid date. */
  time: Date | null;
  /**
   * IC card read result, present when `status` is 1 (and when a terminal fills it for another
   * status): 0 success, 1 key authentication failed, 2 card locked, 3 card pulled out, 4 data
   * checksum error.
   */
  readResult?: number;
  /** Card contents, present when `readResult` is 0. */
  card?: DriverCard;
}

/** The 2011 body: card contents only. */
export interface DriverIdentity2011 {
  edition: 2011;
  card: DriverCard2011;
}

export interface DriverCard {
  /** Driver name (GBK), trailing NULs trimmed. */
  driverName: string;
  /** Name bytes as sent; present only when `driverName` would not re-encode to them. Wins when encoding. */
  driverNameRaw?: Buffer;
  /** Qualification certificate code, BYTE[20], NUL padding trimmed (both sides). */
  certificateCode: string;
  /** The 20 bytes as sent; present only when `certificateCode` would not re-encode to them. Wins when encoding. */
  certificateCodeRaw?: Buffer;
  /** Name of the issuing authority (GBK), trailing NULs trimmed. */
  issuer: string;
  /** Issuer bytes as sent; present only when `issuer` would not re-encode to them. Wins when encoding. */
  issuerRaw?: Buffer;
  /** Certificate validity, BCD[4] as 8 digits `YYYYMMDD` (a calendar date, not an instant). */
  certificateExpiry: string;
  /** Driver's id card number, BYTE[20] (2019), NUL padding trimmed (both sides). */
  idNumber?: string;
  /** The 20 bytes as sent; present only when `idNumber` would not re-encode to them. Wins when encoding. */
  idNumberRaw?: Buffer;
  /** Face match with the id / certificate photo, 0–100 (2019 supplement; needs `idCardUid`). */
  faceMatch?: number;
  /** Id card UID, BYTE[20] (2019 supplement; needs `faceMatch`), NUL padding trimmed (both sides). */
  idCardUid?: string;
  /** The 20 bytes as sent; present only when `idCardUid` would not re-encode to them. Wins when encoding. */
  idCardUidRaw?: Buffer;
}

/** Card contents of the 2011 body. */
export interface DriverCard2011 {
  /** Driver name (GBK), trailing NULs trimmed. */
  driverName: string;
  /** Name bytes as sent; present only when `driverName` would not re-encode to them. Wins when encoding. */
  driverNameRaw?: Buffer;
  /** Driver's id card number, BYTE[20], NUL padding trimmed (both sides). */
  idNumber: string;
  /** The 20 bytes as sent; present only when `idNumber` would not re-encode to them. Wins when encoding. */
  idNumberRaw?: Buffer;
  /** Qualification certificate code, BYTE[40] in 2011, NUL padding trimmed (both sides). */
  certificateCode: string;
  /** The 40 bytes as sent; present only when `certificateCode` would not re-encode to them. Wins when encoding. */
  certificateCodeRaw?: Buffer;
  /** Name of the issuing authority (GBK), trailing NULs trimmed. */
  issuer: string;
  /** Issuer bytes as sent; present only when `issuer` would not re-encode to them. Wins when encoding. */
  issuerRaw?: Buffer;
}

export const DriverCardStatus = { inserted: 1, removed: 2 } as const;

const CODE_LENGTH = 20;
const SUPPLEMENT_LENGTH = 1 + 20;
/** 2011: qualification certificate BYTE[40]. */
const CODE_LENGTH_2011 = 40;
/** 2011: bytes besides the two texts (two length bytes, id number, certificate). */
const FIXED_2011 = 2 + CODE_LENGTH + CODE_LENGTH_2011;

function readCard(r: Reader): DriverCard {
  const name = readShortText(r);
  const code = readFixedText(r, CODE_LENGTH);
  const issuer = readShortText(r);
  const certificateExpiry = r.bcd(4);
  const card: DriverCard = {
    driverName: name.text,
    certificateCode: code.text,
    issuer: issuer.text,
    certificateExpiry,
  };
  if (name.raw) card.driverNameRaw = name.raw;
  if (code.raw) card.certificateCodeRaw = code.raw;
  if (issuer.raw) card.issuerRaw = issuer.raw;
  // JT/T 808-2019 adds the id card number; SmallChi's 2019 supplement adds face match + UID.
  if (r.remaining >= CODE_LENGTH) {
    const id = readFixedText(r, CODE_LENGTH);
    card.idNumber = id.text;
    if (id.raw) card.idNumberRaw = id.raw;
    if (r.remaining >= SUPPLEMENT_LENGTH) {
      card.faceMatch = r.u8();
      const uid = readFixedText(r, CODE_LENGTH);
      card.idCardUid = uid.text;
      if (uid.raw) card.idCardUidRaw = uid.raw;
    }
  }
  return card;
}

/** Read result and, when it is 0, the card; into `body`. */
function readAfterStatus(r: Reader, body: DriverIdentityReport): void {
  const readResult = r.u8();
  const card = readResult === 0 ? readCard(r) : undefined;
  body.readResult = readResult;
  if (card) body.card = card;
}

/** The 2013 / 2019 body; may leave bytes unread (trailing) or throw on a truncated card. */
function readReport(r: Reader, ctx: Jt808Context): DriverIdentityReport {
  const status = r.u8();
  const time = r.bcdTime(ctx.timeOffsetMinutes);
  const body: DriverIdentityReport = { status, time };
  if (status === DriverCardStatus.inserted) {
    readAfterStatus(r, body);
  } else if (r.remaining > 0) {
    // Filled although the card was removed: keep what parses, else leave it as trailing bytes.
    const at = r.pos;
    try {
      readAfterStatus(r, body);
    } catch {
      r.pos = at;
    }
  }
  return body;
}

/** The 2011 body when the bytes from `r.pos` to the end fit it exactly, else undefined (nothing read). */
function read2011(r: Reader): DriverIdentity2011 | undefined {
  const b = r.buf;
  const p = r.pos;
  const length = r.remaining;
  if (length < FIXED_2011) return undefined;
  const n = b[p]!;
  if (length < FIXED_2011 + n || length !== FIXED_2011 + n + b[p + FIXED_2011 - 1 + n]!) return undefined;
  const name = readShortText(r);
  const id = readFixedText(r, CODE_LENGTH);
  const code = readFixedText(r, CODE_LENGTH_2011);
  const issuer = readShortText(r);
  const card: DriverCard2011 = {
    driverName: name.text,
    idNumber: id.text,
    certificateCode: code.text,
    issuer: issuer.text,
  };
  if (name.raw) card.driverNameRaw = name.raw;
  if (id.raw) card.idNumberRaw = id.raw;
  if (code.raw) card.certificateCodeRaw = code.raw;
  if (issuer.raw) card.issuerRaw = issuer.raw;
  return { edition: 2011, card };
}

function write2011(w: Writer, b: DriverIdentity2011, ctx: Jt808Context): void {
  if (b.edition !== 2011) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `edition ${String(b.edition)} is not 2011`);
  if (ctx.version === 2019)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'the 2011 layout needs a 2011/2013 header, not 2019');
  const c = b.card;
  if (c === undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'the 2011 layout needs card');
  writeShortText(w, c.driverName, c.driverNameRaw, 'driverName');
  writeFixedTextOrRaw(w, c.idNumber, c.idNumberRaw, CODE_LENGTH, 'idNumber');
  writeFixedTextOrRaw(w, c.certificateCode, c.certificateCodeRaw, CODE_LENGTH_2011, 'certificateCode');
  writeShortText(w, c.issuer, c.issuerRaw, 'issuer');
}

function writeReport(w: Writer, b: DriverIdentityReport, ctx: Jt808Context): void {
  w.u8(b.status).bcdTime(b.time, ctx.timeOffsetMinutes);
  if (b.readResult === undefined) {
    if (b.status === DriverCardStatus.inserted)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'status 1 (inserted) needs readResult');
    if (b.card !== undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'card needs readResult 0');
    return;
  }
  w.u8(b.readResult);
  const c = b.card;
  if (b.readResult !== 0) {
    if (c !== undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'card applies to readResult 0 only');
    return;
  }
  if (c === undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'readResult 0 needs card');
  writeShortText(w, c.driverName, c.driverNameRaw, 'driverName');
  writeFixedTextOrRaw(w, c.certificateCode, c.certificateCodeRaw, CODE_LENGTH, 'certificateCode');
  writeShortText(w, c.issuer, c.issuerRaw, 'issuer');
  writeBcdDigits(w, c.certificateExpiry, 4, 'certificateExpiry');
  if (c.idNumber === undefined) {
    if (c.faceMatch !== undefined || c.idCardUid !== undefined)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'faceMatch / idCardUid need idNumber');
    return;
  }
  writeFixedTextOrRaw(w, c.idNumber, c.idNumberRaw, CODE_LENGTH, 'idNumber');
  if ((c.faceMatch === undefined) !== (c.idCardUid === undefined))
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'faceMatch and idCardUid go together');
  if (c.faceMatch !== undefined && c.idCardUid !== undefined) {
    w.u8(c.faceMatch);
    writeFixedTextOrRaw(w, c.idCardUid, c.idCardUidRaw, CODE_LENGTH, 'idCardUid');
  }
}

export const m0702 = defineMessage({
  msgId: 0x0702,
  type: 'driver-identity',
  direction: 'up',
  decode(r, ctx): DriverIdentity {
    const start = r.pos;
    let body: DriverIdentityReport;
    try {
      body = readReport(r, ctx);
    } catch (err) {
      // Not a 2013 body (a truncated card): a 2011 body that fits exactly, else the 2013 error.
      if (ctx.version === 2019) throw err;
      r.pos = start;
      const old = read2011(r);
      if (old === undefined) throw err;
      return old;
    }
    if (ctx.version === 2019) return body;
    const known = body.status === DriverCardStatus.inserted || body.status === DriverCardStatus.removed;
    if (r.remaining === 0 && known) return body;
    // Bytes left over, or a status that is neither 1 nor 2: a 2011 body if it fits exactly,
    // else the 2013 reading (+ trailing bytes).
    const at = r.pos;
    r.pos = start;
    const old = read2011(r);
    if (old !== undefined) return old;
    r.pos = at;
    return body;
  },
  encode(w, b: DriverIdentity, ctx) {
    if ('edition' in b) write2011(w, b, ctx);
    else writeReport(w, b, ctx);
  },
});
