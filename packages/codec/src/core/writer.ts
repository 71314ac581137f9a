import { CodecError } from '../errors.ts';
import { writeBcd } from './bcd.ts';
import { encodeGbk } from './text.ts';
import { writeBcdTime, writeBinaryTime } from './time.ts';

/**
 * Growable big-endian writer. Encoders validate their input: every method throws
 * `CodecError(IOTHUB_ERR_ENCODE_VALUE)` on a value the field cannot hold.
 */
export class Writer {
  private buf: Buffer;
  pos = 0;

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private static check(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} out of range 0..${max}`);
  }

  u8(v: number): this {
    Writer.check(v, 0xff, 'u8');
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  i8(v: number): this {
    if (!Number.isInteger(v) || v < -0x80 || v > 0x7f)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `i8 ${v} out of range`);
    return this.u8(v & 0xff);
  }

  u16(v: number): this {
    Writer.check(v, 0xffff, 'u16');
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  i16(v: number): this {
    if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `i16 ${v} out of range`);
    return this.u16(v & 0xffff);
  }

  u24(v: number): this {
    Writer.check(v, 0xffffff, 'u24');
    this.ensure(3);
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    Writer.check(v, 0xffffffff, 'u32');
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `i32 ${v} out of range`);
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `u64 ${v} out of range`);
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  u32le(v: number): this {
    Writer.check(v, 0xffffffff, 'u32');
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** `n` zero bytes. */
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Digit string as exactly `n` bytes of packed BCD, left-padded with zeros. */
  bcd(digits: string, n: number): this {
    this.ensure(n);
    writeBcd(this.buf, this.pos, digits, n);
    this.pos += n;
    return this;
  }

  /** GBK string padded with NUL (or `pad`) to exactly `n` bytes; throws when longer. */
  fixedString(text: string, n: number, pad = 0): this {
    const b = encodeGbk(text);
    if (b.length > n)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `string "${text}" is ${b.length} bytes, field holds ${n}`);
    this.bytes(b);
    this.ensure(n - b.length);
    this.buf.fill(pad, this.pos, this.pos + n - b.length);
    this.pos += n - b.length;
    return this;
  }

  /** ASCII string padded with NUL to exactly `n` bytes. */
  fixedAscii(text: string, n: number): this {
    const b = Buffer.from(text, 'latin1');
    if (b.length > n) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `string "${text}" longer than ${n} bytes`);
    this.bytes(b);
    return this.zeros(n - b.length);
  }

  /** GBK string preceded by its byte length (1 or 2 bytes). */
  lengthPrefixedString(text: string, lengthBytes: 1 | 2 = 1): this {
    const b = encodeGbk(text);
    if (lengthBytes === 1) this.u8(b.length);
    else this.u16(b.length);
    return this.bytes(b);
  }

  /** GBK string with no length (runs to the end of the body). */
  string(text: string): this {
    return this.bytes(encodeGbk(text));
  }

  /** Overwrite a u16 at an earlier position (for lengths known only afterwards). */
  patchU16(at: number, v: number): this {
    Writer.check(v, 0xffff, 'u16');
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
    return this;
  }

  patchU8(at: number, v: number): this {
    Writer.check(v, 0xff, 'u8');
    this.buf[at] = v;
    return this;
  }

  /** A copy of what was written. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** The underlying buffer (what was written is `[0, pos)`), without creating a view. */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Start over, keeping the allocated buffer (for a writer reused across encodes). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A view of what was written (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** BCD[6] YYMMDDhhmmss in the given wire time zone; null → zeros. */
  bcdTime(date: Date | null, offsetMinutes: number): this {
    this.ensure(6);
    writeBcdTime(this.buf, this.pos, date, offsetMinutes);
    this.pos += 6;
    return this;
  }

  /** Binary YY MM DD hh mm ss in the given wire time zone; null → zeros. */
  binaryTime(date: Date | null, offsetMinutes: number): this {
    this.ensure(6);
    writeBinaryTime(this.buf, this.pos, date, offsetMinutes);
    this.pos += 6;
    return this;
  }
}
