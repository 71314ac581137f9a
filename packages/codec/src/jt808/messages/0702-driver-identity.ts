import type { Reader } from '../../core/reader.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { readShortText, writeBcdDigits, writeFixedText, writeShortText } from './terminal-fields.ts';

/**
 * 0x0702 Driver identity report (T→P), sent when a driver's qualification IC card is inserted or
 * removed, or in answer to 0x8702; answered with 0x8001. Layout from SmallChi `JT808_0x0702.cs`
 * (2013 / 2019, including its "808-2019 supplement" tail and its `Test2011_*` for the 2011 layout);
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
 * 2019 fields are recognised by the bytes left after the validity date rather than by the header
 * version (20 → id number; 41 → id number + supplement), so a 2019 body behind a 2013-layout
 * header decodes too (SmallChi `JT808_0x0702Test.Test4_1` is such a frame); the encoder writes
 * whichever of them are present.
 *
 * The spec fills the fields after the time only for status 1 (SmallChi stops there for status 2),
 * but some terminals fill them on removal too (SmallChi `Test2013_1`): for another status, bytes
 * after the time are read the same way when they parse, and left unread (reported as trailing by
 * the packet layer) when they do not. Names lose trailing NULs, with a raw copy when needed (see
 * terminal-fields.ts).
 *
 * Not handled: the 2011 layout (name length, name, id number [20], certificate [40], issuer length,
 * issuer, no status byte), which shares the 2013 header and would be misread.
 */
export interface DriverIdentity {
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

export interface DriverCard {
  /** Driver name (GBK), trailing NULs trimmed. */
  driverName: string;
  /** Name bytes as sent; present only when `driverName` would not re-encode to them. Wins when encoding. */
  driverNameRaw?: Buffer;
  /** Qualification certificate code, BYTE[20], NUL padding trimmed. */
  certificateCode: string;
  /** Name of the issuing authority (GBK), trailing NULs trimmed. */
  issuer: string;
  /** Issuer bytes as sent; present only when `issuer` would not re-encode to them. Wins when encoding. */
  issuerRaw?: Buffer;
  /** Certificate validity, BCD[4] as 8 digits `YYYYMMDD` (a calendar date, not an instant). */
  certificateExpiry: string;
  /** Driver's id card number, BYTE[20] (2019), NUL padding trimmed. */
  idNumber?: string;
  /** Face match with the id / certificate photo, 0–100 (2019 supplement; needs `idCardUid`). */
  faceMatch?: number;
  /** Id card UID, BYTE[20] (2019 supplement; needs `faceMatch`), NUL padding trimmed. */
  idCardUid?: string;
}

export const DriverCardStatus = { inserted: 1, removed: 2 } as const;

const CODE_LENGTH = 20;
const SUPPLEMENT_LENGTH = 1 + 20;

function readCard(r: Reader): DriverCard {
  const name = readShortText(r);
  const certificateCode = r.fixedString(CODE_LENGTH);
  const issuer = readShortText(r);
  const certificateExpiry = r.bcd(4);
  const card: DriverCard = { driverName: name.text, certificateCode, issuer: issuer.text, certificateExpiry };
  if (name.raw) card.driverNameRaw = name.raw;
  if (issuer.raw) card.issuerRaw = issuer.raw;
  // JT/T 808-2019 adds the id card number; SmallChi's 2019 supplement adds face match + UID.
  if (r.remaining >= CODE_LENGTH) {
    card.idNumber = r.fixedString(CODE_LENGTH);
    if (r.remaining >= SUPPLEMENT_LENGTH) {
      card.faceMatch = r.u8();
      card.idCardUid = r.fixedString(CODE_LENGTH);
    }
  }
  return card;
}

/** Read result and, when it is 0, the card; into `body`. */
function readAfterStatus(r: Reader, body: DriverIdentity): void {
  const readResult = r.u8();
  const card = readResult === 0 ? readCard(r) : undefined;
  body.readResult = readResult;
  if (card) body.card = card;
}

export const m0702 = defineMessage({
  msgId: 0x0702,
  type: 'driver-identity',
  direction: 'up',
  decode(r, ctx): DriverIdentity {
    const status = r.u8();
    const time = r.bcdTime(ctx.timeOffsetMinutes);
    const body: DriverIdentity = { status, time };
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
  },
  encode(w, b: DriverIdentity, ctx) {
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
    writeFixedText(w, c.certificateCode, CODE_LENGTH, 'certificateCode');
    writeShortText(w, c.issuer, c.issuerRaw, 'issuer');
    writeBcdDigits(w, c.certificateExpiry, 4, 'certificateExpiry');
    if (c.idNumber === undefined) {
      if (c.faceMatch !== undefined || c.idCardUid !== undefined)
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'faceMatch / idCardUid need idNumber');
      return;
    }
    writeFixedText(w, c.idNumber, CODE_LENGTH, 'idNumber');
    if ((c.faceMatch === undefined) !== (c.idCardUid === undefined))
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'faceMatch and idCardUid go together');
    if (c.faceMatch !== undefined && c.idCardUid !== undefined) {
      w.u8(c.faceMatch);
      writeFixedText(w, c.idCardUid, CODE_LENGTH, 'idCardUid');
    }
  },
});
