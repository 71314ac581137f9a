import { CodecError } from '../errors.ts';
import { bcdToString } from './bcd.ts';
import { decodeGbk, trimPadEnd } from './text.ts';
import { readBcdTime, readBinaryTime } from './time.ts';

/**
 * Cursor over a Buffer, big-endian. Reading past `end` throws `CodecError(IOTHUB_ERR_TRUNCATED)`;
 * message decoders let it propagate and the packet decoder turns it into a reported error,
 * so a truncated body never crashes anything and never reads another frame's bytes.
 *
 * `bytes()` returns a view (subarray) into the input, not a copy: callers that keep
 * bytes beyond the life of the input buffer must copy them (`Buffer.from(view)`).
 */
export class Reader {
  /** The buffer read from; replaced by `reset` when a decoder reuses one Reader across frames. */
  buf: Buffer;
  pos: number;
  end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /**
   * Point the reader at `buf[start, end)` again (decoders on the hot path reuse one reader per
   * frame instead of allocating one; see the packet decoders).
   */
  reset(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws when fewer than `n` bytes remain. */
  need(n: number): void {
    if (this.end - this.pos < n) {
      throw new CodecError(
        'IOTHUB_ERR_TRUNCATED',
        `need ${n} byte(s) at offset ${this.pos}, ${this.end - this.pos} left`,
      );
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1);
    return this.buf[this.pos++]!;
  }

  i8(): number {
    const v = this.u8();
    return v > 0x7f ? v - 0x100 : v;
  }

  u16(): number {
    this.need(2);
    const p = this.pos;
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  i16(): number {
    const v = this.u16();
    return v > 0x7fff ? v - 0x10000 : v;
  }

  u24(): number {
    this.need(3);
    const p = this.pos;
    this.pos = p + 3;
    return (this.buf[p]! << 16) | (this.buf[p + 1]! << 8) | this.buf[p + 2]!;
  }

  u32(): number {
    this.need(4);
    const p = this.pos;
    this.pos = p + 4;
    return this.buf[p]! * 0x1000000 + ((this.buf[p + 1]! << 16) | (this.buf[p + 2]! << 8) | this.buf[p + 3]!);
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /** A view of everything up to `end`. */
  rest(): Buffer {
    const p = this.pos;
    this.pos = this.end;
    return this.buf.subarray(p, this.end);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** `n` bytes of packed BCD as a digit string (not trimmed). */
  bcd(n: number): string {
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return bcdToString(this.buf, p, p + n);
  }

  /** Fixed-size GBK string, right-trimmed of NUL padding (and of `pad`, when given). */
  fixedString(n: number, pad = 0): string {
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return decodeGbk(this.buf, p, trimPadEnd(this.buf, p, p + n, pad));
  }

  /** Fixed-size ASCII/latin1 string, right-trimmed of NUL padding. */
  fixedAscii(n: number): string {
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.toString('latin1', p, trimPadEnd(this.buf, p, p + n));
  }

  /** GBK string whose byte length is given by a preceding 1-byte (or 2-byte) length field. */
  lengthPrefixedString(lengthBytes: 1 | 2 = 1): string {
    const n = lengthBytes === 1 ? this.u8() : this.u16();
    this.need(n);
    const p = this.pos;
    this.pos = p + n;
    return decodeGbk(this.buf, p, p + n);
  }

  /** GBK string to the end of the body (NUL padding trimmed). */
  restString(): string {
    const p = this.pos;
    this.pos = this.end;
    return decodeGbk(this.buf, p, trimPadEnd(this.buf, p, this.end));
  }

  /** BCD[6] YYMMDDhhmmss in the given wire time zone; null when zero or invalid. */
  bcdTime(offsetMinutes: number): Date | null {
    this.need(6);
    const p = this.pos;
    this.pos = p + 6;
    return readBcdTime(this.buf, p, offsetMinutes);
  }

  /** Binary YY MM DD hh mm ss in the given wire time zone; null when invalid. */
  binaryTime(offsetMinutes: number): Date | null {
    this.need(6);
    const p = this.pos;
    this.pos = p + 6;
    return readBinaryTime(this.buf, p, offsetMinutes);
  }
}
