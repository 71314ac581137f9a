import type { Reader } from '../../core/reader.ts';
import { decodeGbk, encodeGbk, trimPadEnd } from '../../core/text.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';

/**
 * Field helpers shared by the terminal → platform messages of the `terminal` group (0x0100,
 * 0x0102, 0x0107, 0x0702, ...). Not exported from the package: message files import them.
 *
 * Text policy (protocols/jt808-jt1078.md §1):
 * - Fixed `BYTE[n]` text is NUL-padded on the right by the spec: the decoder trims trailing NULs
 *   and the encoder pads them back, so valid GBK re-encodes byte for byte. Some terminals pad on
 *   the left instead (SmallChi writes `PadLeft(20, '\0')`, `JT808_0x0702Test.Test3`):
 *   `readFixedText` trims NULs on both sides and, only when the text would not re-encode
 *   (right-padded) to the same bytes, also returns the bytes as received. ASCII `'0'` padding
 *   (some 2019 terminals left-pad with `'0'`, SmallChi `JT808_0x0100Test.Test2019_4_2`; SmallChi
 *   also right-pads the 0x0102 software version with `'0'`) is **kept** in the value: a leading
 *   or trailing `'0'` cannot be told from a real digit, and keeping it makes re-encoding exact.
 * - An open `STRING` that runs to the end of the body (0x0100 plate, 2013 0x0102 auth code) has no
 *   padding in the spec, but some terminals NUL-terminate it. The decoder trims trailing NULs for
 *   usability and, only when the text would not re-encode to the same bytes (NULs trimmed, or
 *   bytes that are not valid GBK), also returns the bytes as received so the encoder can write
 *   them back unchanged.
 */

function hasHighByte(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return true;
  return false;
}

/** Variable-length GBK text, trailing NULs trimmed. */
export interface VarText {
  text: string;
  /** The bytes as received; present only when `text` would not re-encode to them. */
  raw?: Buffer;
}

function textOf(buf: Buffer, start: number, end: number): VarText {
  const e = trimPadEnd(buf, start, end);
  const text = decodeGbk(buf, start, e);
  if (e !== end) return { text, raw: buf.subarray(start, end) };
  if (hasHighByte(buf, start, end)) {
    const raw = buf.subarray(start, end);
    if (!encodeGbk(text).equals(raw)) return { text, raw };
  }
  return { text };
}

/** GBK text from the reader position to the end of the body (an open `STRING`). */
export function readRestText(r: Reader): VarText {
  const start = r.pos;
  r.pos = r.end;
  return textOf(r.buf, start, r.end);
}

/** BYTE length + GBK text (a length-prefixed `STRING`). */
export function readShortText(r: Reader): VarText {
  const n = r.u8();
  r.need(n);
  const start = r.pos;
  r.pos = start + n;
  return textOf(r.buf, start, start + n);
}

/**
 * Fixed `BYTE[n]` GBK text, NULs trimmed on both sides; `raw` (the `n` bytes as received) only
 * when the text would not re-encode to them through `writeFixedText` (left NUL padding, bytes
 * that are not valid GBK).
 */
export function readFixedText(r: Reader, n: number): VarText {
  r.need(n);
  const buf = r.buf;
  const start = r.pos;
  const end = start + n;
  r.pos = end;
  let s = start;
  while (s < end && buf[s] === 0) s++;
  if (s === end) return { text: '' };
  const e = trimPadEnd(buf, s, end);
  const text = decodeGbk(buf, s, e);
  if (s !== start || (hasHighByte(buf, s, e) && !encodeGbk(text).equals(buf.subarray(s, e))))
    return { text, raw: buf.subarray(start, end) };
  return { text };
}

function checkRaw(raw: unknown, field: string): asserts raw is Uint8Array {
  if (!(raw instanceof Uint8Array)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field}Raw must be bytes`);
}

/** Writes `raw` when given (see `readRestText`), else `text` as GBK with no terminator. */
export function writeRestText(w: Writer, text: string, raw: Uint8Array | undefined, field: string): void {
  if (raw !== undefined) {
    checkRaw(raw, field);
    w.bytes(raw);
    return;
  }
  checkString(text, field);
  w.string(text);
}

/** BYTE length + `raw` when given (see `readShortText`), else + `text` as GBK; at most 255 bytes. */
export function writeShortText(w: Writer, text: string, raw: Uint8Array | undefined, field: string): void {
  let b: Uint8Array;
  if (raw !== undefined) {
    checkRaw(raw, field);
    b = raw;
  } else {
    checkString(text, field);
    b = encodeGbk(text);
  }
  if (b.length > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} is ${b.length} bytes, max 255`);
  w.u8(b.length).bytes(b);
}

export function checkString(text: unknown, field: string): asserts text is string {
  if (typeof text !== 'string') throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be a string`);
}

/** Fixed `BYTE[n]` GBK text, NUL-padded; throws when the text is longer than `n` bytes. */
export function writeFixedText(w: Writer, text: string, n: number, field: string): void {
  checkString(text, field);
  const b = encodeGbk(text);
  if (b.length > n)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} "${text}" is ${b.length} bytes, field holds ${n}`);
  w.bytes(b).zeros(n - b.length);
}

/** `raw` when given (exactly `n` bytes, see `readFixedText`), else `text` NUL-padded on the right. */
export function writeFixedTextOrRaw(
  w: Writer,
  text: string,
  raw: Uint8Array | undefined,
  n: number,
  field: string,
): void {
  if (raw === undefined) {
    writeFixedText(w, text, n, field);
    return;
  }
  checkRaw(raw, field);
  if (raw.length !== n) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field}Raw must be ${n} bytes`);
  w.bytes(raw);
}

/** Exactly `n` raw bytes. */
export function writeExactBytes(w: Writer, bytes: Uint8Array, n: number, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== n)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be ${n} bytes`);
  w.bytes(bytes);
}

/** Raw bytes of any length. */
export function writeAnyBytes(w: Writer, bytes: Uint8Array, field: string): void {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} must be bytes`);
  w.bytes(bytes);
}

/** Packed BCD digit string of exactly `2n` digits (0–9; a–f filler nibbles accepted as the decoder renders them). */
export function writeBcdDigits(w: Writer, digits: string, n: number, field: string): void {
  checkString(digits, field);
  if (digits.length !== 2 * n)
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${field} "${digits}" must be ${2 * n} BCD digits`);
  w.bcd(digits, n);
}
