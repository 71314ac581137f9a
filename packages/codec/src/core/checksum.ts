/**
 * CRC-16/X-25 (the "CRC-ITU" of the Concox/Jimi documents): poly 0x1021 reflected
 * (table constant 0x8408), init 0xFFFF, reflected in/out, xor-out 0xFFFF.
 * Check value of "123456789" is 0x906E. Reference: protocols/jimi-gt06.md §2.3.
 */
const X25_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  X25_TABLE[i] = c;
}

export function crc16x25(buf: Uint8Array, start = 0, end = buf.length): number {
  let fcs = 0xffff;
  for (let i = start; i < end; i++) fcs = (fcs >>> 8) ^ X25_TABLE[(fcs ^ buf[i]!) & 0xff]!;
  return ~fcs & 0xffff;
}

/** JT/T 808 check code: XOR of every byte in [start, end). Reference: protocols/jt808-jt1078.md §1. */
export function xorChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= buf[i]!;
  return x;
}
