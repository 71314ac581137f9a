import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bcdToString, writeBcd } from '../../src/core/bcd.ts';
import { crc16x25, xorChecksum, xorChecksumWords } from '../../src/core/checksum.ts';
import { Reader } from '../../src/core/reader.ts';
import { decodeGbk, encodeGbk } from '../../src/core/text.ts';
import { readBcdTime, readBinaryTime, writeBcdTime, writeBinaryTime } from '../../src/core/time.ts';
import { Writer } from '../../src/core/writer.ts';
import { CodecError } from '../../src/errors.ts';

describe('checksums', () => {
  it('CRC-16/X-25 check value of "123456789" is 0x906E', () => {
    expect(crc16x25(Buffer.from('123456789'))).toBe(0x906e);
  });
  it('CRC-16/X-25 of the Concox login example (length..serial) is 0x9FF8', () => {
    // 78 78 05 01 00 05 9F F8 0D 0A (jimi-gt06.md §5.1): CRC over 05 01 00 05
    expect(crc16x25(Buffer.from('05010005', 'hex'))).toBe(0x9ff8);
  });
  it('XOR check code', () => {
    expect(xorChecksum(Buffer.from([0x01, 0x02, 0x04, 0x80]))).toBe(0x87);
    expect(xorChecksum(Buffer.alloc(0))).toBe(0);
  });
  it('XOR check code through an Int32Array view equals the byte-wise one at any alignment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(),
        fc.nat(),
        (bytes, shift, a, b) => {
          // A view at an arbitrary offset inside a larger ArrayBuffer, as a pushed chunk can be.
          const ab = new ArrayBuffer(bytes.length + 16);
          const buf = Buffer.from(ab, shift, bytes.length);
          buf.set(bytes);
          const words = new Int32Array(ab, 0, ab.byteLength >> 2);
          const start = a % (bytes.length + 1);
          const end = start + (b % (bytes.length - start + 1));
          expect(xorChecksumWords(buf, words, buf.byteOffset, start, end)).toBe(xorChecksum(buf, start, end));
        },
      ),
      { seed: 808, numRuns: 3000 },
    );
  });
});

describe('BCD', () => {
  it('decodes and encodes with left zero padding and filler nibbles', () => {
    const out = Buffer.alloc(6);
    writeBcd(out, 0, '13912345678', 6);
    expect(out.toString('hex')).toBe('013912345678');
    expect(bcdToString(out, 0, 6)).toBe('013912345678');
    const iccid = Buffer.alloc(10);
    writeBcd(iccid, 0, '8986012345678901234f', 10);
    expect(bcdToString(iccid, 0, 10)).toBe('8986012345678901234f');
  });
  it('rejects overlong and non-digit input when encoding', () => {
    expect(() => writeBcd(Buffer.alloc(2), 0, '12345', 2)).toThrow(CodecError);
    expect(() => writeBcd(Buffer.alloc(2), 0, '12x4', 2)).toThrow(CodecError);
  });
  it('round-trips any digit string', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,20}$/), (digits) => {
        const out = Buffer.alloc(10);
        writeBcd(out, 0, digits, 10);
        return bcdToString(out, 0, 10) === digits.padStart(20, '0');
      }),
      { numRuns: 2000, seed: 1 },
    );
  });
});

describe('GBK text', () => {
  it('decodes and encodes plate numbers', () => {
    expect(encodeGbk('粤B12345').toString('hex')).toBe('d4c1423132333435');
    expect(decodeGbk(Buffer.from('b2e2cad4', 'hex'))).toBe('测试');
    expect(decodeGbk(Buffer.from('abc'))).toBe('abc');
  });
});

describe('date-times', () => {
  it('BCD GMT+8 and binary UTC', () => {
    const t = readBcdTime(Buffer.from('261122081530', 'hex'), 0, 480);
    expect(t?.toISOString()).toBe('2026-11-22T00:15:30.000Z');
    expect(readBinaryTime(Buffer.from([15, 12, 29, 2, 51, 5]), 0, 0)?.toISOString()).toBe('2015-12-29T02:51:05.000Z');
  });
  it('returns null for zeros and impossible dates', () => {
    for (const hex of [
      '000000000000',
      '230229120000',
      '251301000000',
      '250431000000',
      '2501012a0000',
      '25010124ff00',
    ]) {
      expect(readBcdTime(Buffer.from(hex, 'hex'), 0, 480), hex).toBeNull();
    }
    expect(readBcdTime(Buffer.from('240229235959', 'hex'), 0, 480)).not.toBeNull();
  });
  it('round-trips every second of the century in any zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 2) / 1000, max: Date.UTC(2099, 11, 30) / 1000 }),
        fc.integer({ min: -720, max: 840 }),
        (s, offset) => {
          const d = new Date(s * 1000);
          const b = Buffer.alloc(12);
          writeBcdTime(b, 0, d, offset);
          writeBinaryTime(b, 6, d, offset);
          return (
            readBcdTime(b, 0, offset)?.getTime() === d.getTime() &&
            readBinaryTime(b, 6, offset)?.getTime() === d.getTime()
          );
        },
      ),
      { numRuns: 20_000, seed: 2 },
    );
  });
});

describe('Reader / Writer', () => {
  it('round-trips integers, strings and BCD', () => {
    const w = new Writer(4);
    w.u8(0xfe).i8(-2).u16(0xbeef).i16(-2).u24(0xabcdef).u32(0xdeadbeef).i32(-5).u64(0x0102030405060708n);
    w.fixedString('粤B', 6).lengthPrefixedString('测试').bcd('123', 2).fixedAscii('id', 4);
    const r = new Reader(w.finish());
    expect([r.u8(), r.i8(), r.u16(), r.i16(), r.u24(), r.u32(), r.i32(), r.u64()]).toEqual([
      0xfe,
      -2,
      0xbeef,
      -2,
      0xabcdef,
      0xdeadbeef,
      -5,
      0x0102030405060708n,
    ]);
    expect([r.fixedString(6), r.lengthPrefixedString(), r.bcd(2), r.fixedAscii(4)]).toEqual([
      '粤B',
      '测试',
      '0123',
      'id',
    ]);
    expect(r.remaining).toBe(0);
  });
  it('throws a truncation CodecError instead of reading past the end', () => {
    const r = new Reader(Buffer.from([1, 2, 3]), 0, 2);
    r.u8();
    expect(() => r.u16()).toThrow(/IOTHUB_ERR_TRUNCATED/);
  });
  it('rejects values a field cannot hold', () => {
    const w = new Writer();
    expect(() => w.u8(256)).toThrow(/IOTHUB_ERR_ENCODE_VALUE/);
    expect(() => w.u16(-1)).toThrow(CodecError);
    expect(() => w.u32(1.5)).toThrow(CodecError);
    expect(() => w.fixedString('too long', 3)).toThrow(CodecError);
  });
});
