import { bcdToString } from '../core/bcd.ts';
import type { Writer } from '../core/writer.ts';
import { CodecError } from '../errors.ts';

/**
 * JT/T 808 message header (protocols/jt808-jt1078.md §2).
 *
 * | field              | 2011 / 2013      | 2019                    |
 * |--------------------|------------------|-------------------------|
 * | message id         | WORD @0          | WORD @0                 |
 * | body properties    | WORD @2          | WORD @2 (bit 14 = 1)    |
 * | protocol version   | –                | BYTE @4                 |
 * | terminal phone     | BCD[6] @4        | BCD[10] @5              |
 * | message serial     | WORD @10         | WORD @15                |
 * | total packages     | WORD @12 (bit13) | WORD @17 (bit13)        |
 * | package index      | WORD @14 (bit13) | WORD @19 (bit13)        |
 *
 * Body properties: bits 0–9 body length, 10–12 encryption (bit 10 = RSA), 13 subpackage,
 * 14 version flag (2019), 15 reserved.
 *
 * The layout is chosen by length consistency, not bit 14 alone: some terminals set bit 14
 * but send a 2013 header (SmallChi's `JTT2013Force`). See `detectLayout`.
 */
export type Jt808Version = 2011 | 2013 | 2019;

export interface Jt808Subpackage {
  /** Total number of packages, ≥ 1. */
  total: number;
  /** 1-based index of this package. */
  index: number;
}

export interface Jt808Header {
  msgId: number;
  /** Header layout: 2013 (also used by 2011) or 2019. 2011 vs 2013 can only be told from some bodies. */
  version: 2013 | 2019;
  /** 2019 protocol-version byte (1 in the 2019 edition); undefined for 2011/2013 layouts. */
  protocolVersion?: number;
  /** Terminal phone number, BCD digits as sent (12 digits in 2013, 20 in 2019), not stripped. */
  phone: string;
  serial: number;
  /** Body length declared in the properties word. */
  bodyLength: number;
  /** Encryption bits 10–12 (0 = plain, 1 = RSA). */
  encryption: number;
  /** Present when bit 13 is set. */
  subpackage?: Jt808Subpackage;
  /** Bit 14 was set but the frame has the 2013 layout (non-conformant terminal). */
  versionFlagMismatch?: boolean;
  /** Reserved bit 15 was set. */
  reservedBit?: boolean;
}

export interface HeaderLayout {
  version: 2013 | 2019;
  headerLength: number;
  /** Declared length + header + check equals the frame length. */
  consistent: boolean;
}

const LEN_MASK = 0x03ff;
const ENC_SHIFT = 10;
const SUB_BIT = 1 << 13;
const V2019_BIT = 1 << 14;

/**
 * Decide the header layout of an unescaped frame (header + body + check) at `frame[start, start +
 * frameLength)`. Bit 14 selects 2019 unless only the 2013 layout is length-consistent; when bit 14
 * is clear and only the 2019 layout is consistent, 2019 is also chosen (a terminal that forgot the flag).
 */
export function detectLayout(frame: Uint8Array, frameLength = frame.length, start = 0): HeaderLayout {
  const props = (frame[start + 2]! << 8) | frame[start + 3]!;
  const bodyLength = props & LEN_MASK;
  const sub = (props & SUB_BIT) !== 0 ? 4 : 0;
  const h2013 = 12 + sub;
  const h2019 = 17 + sub;
  const ok2013 = h2013 + bodyLength + 1 === frameLength;
  const ok2019 = h2019 + bodyLength + 1 === frameLength && frameLength >= h2019 + 1;
  if ((props & V2019_BIT) !== 0) {
    if (ok2019 || !ok2013) return { version: 2019, headerLength: h2019, consistent: ok2019 };
    return { version: 2013, headerLength: h2013, consistent: true };
  }
  if (ok2013 || !ok2019) return { version: 2013, headerLength: h2013, consistent: ok2013 };
  return { version: 2019, headerLength: h2019, consistent: true };
}

/**
 * Phone strings by their BCD bytes: a connection sends thousands of frames with the same phone,
 * and building the digit string is a measurable part of decoding a location. Direct-mapped,
 * 1,024 entries, keyed by the last two bytes; an entry is reused only when all bytes match.
 */
const PHONE_CACHE_SIZE = 1024;
const phoneKeys: (Uint8Array | undefined)[] = new Array(PHONE_CACHE_SIZE);
const phoneValues: string[] = new Array(PHONE_CACHE_SIZE);

function phoneAt(frame: Uint8Array, from: number, to: number): string {
  const slot = ((frame[to - 2]! << 8) | frame[to - 1]!) & (PHONE_CACHE_SIZE - 1);
  const key = phoneKeys[slot];
  if (key !== undefined && key.length === to - from) {
    let same = true;
    for (let i = 0; i < key.length; i++) {
      if (key[i] !== frame[from + i]) {
        same = false;
        break;
      }
    }
    if (same) return phoneValues[slot]!;
  }
  const phone = bcdToString(frame, from, to);
  phoneKeys[slot] = Uint8Array.prototype.slice.call(frame, from, to);
  phoneValues[slot] = phone;
  return phone;
}

/** Parse the header at `frame[start...]` with the given layout. The caller checks the length first. */
export function readHeader(frame: Uint8Array, layout: HeaderLayout, start = 0): Jt808Header {
  const s = start;
  const msgId = (frame[s]! << 8) | frame[s + 1]!;
  const props = (frame[s + 2]! << 8) | frame[s + 3]!;
  let p: number;
  let protocolVersion: number | undefined;
  let phone: string;
  if (layout.version === 2019) {
    protocolVersion = frame[s + 4]!;
    phone = phoneAt(frame, s + 5, s + 15);
    p = s + 15;
  } else {
    phone = phoneAt(frame, s + 4, s + 10);
    p = s + 10;
  }
  const serial = (frame[p]! << 8) | frame[p + 1]!;
  const header: Jt808Header = {
    msgId,
    version: layout.version,
    phone,
    serial,
    bodyLength: props & LEN_MASK,
    encryption: (props >> ENC_SHIFT) & 0x07,
  };
  if (protocolVersion !== undefined) header.protocolVersion = protocolVersion;
  if ((props & SUB_BIT) !== 0) {
    header.subpackage = { total: (frame[p + 2]! << 8) | frame[p + 3]!, index: (frame[p + 4]! << 8) | frame[p + 5]! };
  }
  if ((props & V2019_BIT) !== 0 && layout.version === 2013) header.versionFlagMismatch = true;
  if ((props & 0x8000) !== 0) header.reservedBit = true;
  return header;
}

/** What an encoder needs to write a header. */
export interface Jt808HeaderInput {
  msgId: number;
  /** 2011 and 2013 share the 2013 header layout. */
  version: Jt808Version;
  /** Defaults to 1 for 2019. */
  protocolVersion?: number;
  phone: string;
  serial: number;
  encryption?: number;
  subpackage?: Jt808Subpackage;
}

export function writeHeader(
  w: Writer,
  h: Omit<Jt808HeaderInput, 'msgId'>,
  bodyLength: number,
  msgId = (h as Partial<Jt808HeaderInput>).msgId,
): void {
  if (msgId === undefined) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'header without a message id');
  if (bodyLength > LEN_MASK) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `body of ${bodyLength} bytes exceeds 1023: subpackage it`);
  }
  const enc = h.encryption ?? 0;
  if (enc < 0 || enc > 7) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `encryption ${enc}`);
  let props = bodyLength | (enc << ENC_SHIFT);
  if (h.subpackage) props |= SUB_BIT;
  if (h.version === 2019) props |= V2019_BIT;
  w.u16(msgId).u16(props);
  if (h.version === 2019) {
    w.u8(h.protocolVersion ?? 1);
    w.bcd(h.phone, 10);
  } else {
    w.bcd(h.phone, 6);
  }
  w.u16(h.serial);
  if (h.subpackage) w.u16(h.subpackage.total).u16(h.subpackage.index);
}

/** The `deviceImei` of a JT/T 808 terminal: its phone digits with leading zeros removed (product.md). */
export function phoneToDeviceId(phone: string): string {
  let i = 0;
  while (i < phone.length - 1 && phone.charCodeAt(i) === 0x30) i++;
  return phone.slice(i);
}
