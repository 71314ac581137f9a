import { CodecError } from '../errors.ts';

/** Two-digit strings for every byte whose nibbles are both decimal; undefined otherwise. */
const BCD_PAIRS: (string | undefined)[] = new Array(256);
/** Two-character hex strings for every byte (used for non-decimal nibbles, e.g. 0xF fillers). */
const HEX_PAIRS: string[] = new Array(256);
for (let i = 0; i < 256; i++) {
  const hi = i >> 4;
  const lo = i & 0x0f;
  HEX_PAIRS[i] = hi.toString(16) + lo.toString(16);
  BCD_PAIRS[i] = hi < 10 && lo < 10 ? `${hi}${lo}` : undefined;
}

/**
 * Packed BCD bytes → digit string. Nibbles above 9 are rendered as hex digits
 * (`f` fillers in ICCIDs, for example) rather than rejected: decoding is tolerant.
 */
export function bcdToString(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    s += BCD_PAIRS[b] ?? HEX_PAIRS[b]!;
  }
  return s;
}

/** True when every nibble in the range is 0–9. */
export function isValidBcd(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (BCD_PAIRS[buf[i]!] === undefined) return false;
  return true;
}

/**
 * Digit string → packed BCD of exactly `bytes` bytes, left-padded with `0`.
 * Accepts hex digits a–f (for filler nibbles). Throws on overlong or non-hex input.
 */
export function writeBcd(out: Uint8Array, offset: number, digits: string, bytes: number): void {
  const width = bytes * 2;
  const n = digits.length;
  if (n > width) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `BCD value "${digits}" longer than ${width} digits`);
  const pad = width - n;
  for (let i = 0; i < bytes; i++) {
    const a = 2 * i - pad;
    const hi = a < 0 ? 0 : nibble(digits.charCodeAt(a));
    const lo = a + 1 < 0 ? 0 : nibble(digits.charCodeAt(a + 1));
    if (hi < 0 || lo < 0) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `bad BCD digit in "${digits}"`);
    out[offset + i] = (hi << 4) | lo;
  }
}

/** Value of a hex digit character code, or -1. */
function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Value of a single BCD byte (0x59 → 59), or -1 when a nibble is not decimal. */
export function bcdByte(b: number): number {
  const hi = b >> 4;
  const lo = b & 0x0f;
  return hi < 10 && lo < 10 ? hi * 10 + lo : -1;
}

export function hexPair(b: number): string {
  return HEX_PAIRS[b & 0xff]!;
}
