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
  const code = layoutCode(frame, frameLength, start);
  return { version: layoutVersion(code), headerLength: layoutHeaderLength(code), consistent: (code & 2) !== 0 };
}

/**
 * `detectLayout` packed in one number, for the decoder's hot path (no object per frame):
 * bit 0 set = 2019 layout, bit 1 set = length-consistent, bit 2 set = subpackage fields present.
 * Read it with `layoutVersion` / `layoutHeaderLength`.
 */
export function layoutCode(frame: Uint8Array, frameLength: number, start: number): number {
  const props = (frame[start + 2]! << 8) | frame[start + 3]!;
  const bodyLength = props & LEN_MASK;
  const sub = (props & SUB_BIT) !== 0 ? 4 : 0;
  const subBit = sub === 0 ? 0 : 4;
  const ok2013 = 12 + sub + bodyLength + 1 === frameLength;
  const ok2019 = 17 + sub + bodyLength + 1 === frameLength;
  if ((props & V2019_BIT) !== 0) {
    if (ok2019 || !ok2013) return subBit | (ok2019 ? 3 : 1);
    return subBit | 2;
  }
  if (ok2013 || !ok2019) return subBit | (ok2013 ? 2 : 0);
  return subBit | 3;
}

export function layoutVersion(code: number): 2013 | 2019 {
  return (code & 1) !== 0 ? 2019 : 2013;
}

export function layoutHeaderLength(code: number): number {
  return ((code & 1) !== 0 ? 17 : 12) + (code & 4);
}

/**
 * Phone strings by their BCD bytes: a connection sends thousands of frames with the same phone,
 * and building the digit string is a measurable part of decoding a location. Direct-mapped,
 * 1,024 entries, keyed by the last two bytes; an entry is reused only when all bytes match. The
 * bytes are kept as two exact integers (the first six bytes, then the rest: 6 or 10-byte phones),
 * so the check is two number comparisons.
 */
const PHONE_CACHE_SIZE = 1024;
const phoneLengths = new Int8Array(PHONE_CACHE_SIZE);
const phoneHigh = new Float64Array(PHONE_CACHE_SIZE);
const phoneLow = new Float64Array(PHONE_CACHE_SIZE);
const phoneValues: string[] = new Array<string>(PHONE_CACHE_SIZE).fill('');

/** `frame[from, from + 6)` or `[from + 6, to)` (up to 4 bytes) as an integer. */
function bytesAsNumber(frame: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 256 + frame[i]!;
  return v;
}

function phoneAt(frame: Uint8Array, from: number, to: number): string {
  const n = to - from;
  if (n !== 6 && n !== 10) return bcdToString(frame, from, to);
  const slot = ((frame[to - 2]! << 8) | frame[to - 1]!) & (PHONE_CACHE_SIZE - 1);
  const high =
    ((frame[from]! << 16) | (frame[from + 1]! << 8) | frame[from + 2]!) * 0x1000000 +
    ((frame[from + 3]! << 16) | (frame[from + 4]! << 8) | frame[from + 5]!);
  const low = n === 6 ? 0 : bytesAsNumber(frame, from + 6, to);
  if (phoneLengths[slot] === n && phoneHigh[slot] === high && phoneLow[slot] === low) return phoneValues[slot]!;
  const phone = bcdToString(frame, from, to);
  phoneLengths[slot] = n;
  phoneHigh[slot] = high;
  phoneLow[slot] = low;
  phoneValues[slot] = phone;
  return phone;
}

/** Parse the header at `frame[start...]` with the given layout. The caller checks the length first. */
export function readHeader(frame: Uint8Array, layout: HeaderLayout, start = 0): Jt808Header {
  return readHeaderAs(frame, layout.version, start);
}

/** `readHeader` with the layout's edition only (the decoder's hot path). */
export function readHeaderAs(frame: Uint8Array, version: 2013 | 2019, start: number): Jt808Header {
  const s = start;
  const msgId = (frame[s]! << 8) | frame[s + 1]!;
  const props = (frame[s + 2]! << 8) | frame[s + 3]!;
  let header: Jt808Header;
  let p: number;
  if (version === 2019) {
    p = s + 15;
    header = {
      msgId,
      version,
      phone: phoneAt(frame, s + 5, p),
      serial: (frame[p]! << 8) | frame[p + 1]!,
      bodyLength: props & LEN_MASK,
      encryption: (props >> ENC_SHIFT) & 0x07,
      protocolVersion: frame[s + 4]!,
    };
  } else {
    p = s + 10;
    header = {
      msgId,
      version,
      phone: phoneAt(frame, s + 4, p),
      serial: (frame[p]! << 8) | frame[p + 1]!,
      bodyLength: props & LEN_MASK,
      encryption: (props >> ENC_SHIFT) & 0x07,
    };
  }
  if ((props & 0xe000) !== 0) {
    if ((props & SUB_BIT) !== 0) {
      header.subpackage = { total: (frame[p + 2]! << 8) | frame[p + 3]!, index: (frame[p + 4]! << 8) | frame[p + 5]! };
    }
    if ((props & V2019_BIT) !== 0 && version === 2013) header.versionFlagMismatch = true;
    if ((props & 0x8000) !== 0) header.reservedBit = true;
  }
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
