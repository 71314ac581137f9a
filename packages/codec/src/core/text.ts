import iconv from 'iconv-lite';

/**
 * Text helpers. JT/T 808 STRING fields are GBK; Jimi command text is ASCII or UTF-16BE.
 * Pure-ASCII input takes a fast path that avoids the iconv tables.
 */
function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

export function decodeGbk(buf: Buffer, start = 0, end = buf.length): string {
  if (isAscii(buf, start, end)) return buf.toString('latin1', start, end);
  return iconv.decode(buf.subarray(start, end), 'gbk');
}

export function encodeGbk(text: string): Buffer {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  if (/^[\x00-\x7f]*$/.test(text)) return Buffer.from(text, 'latin1');
  return iconv.encode(text, 'gbk');
}

export function decodeUtf16be(buf: Buffer, start = 0, end = buf.length): string {
  return iconv.decode(buf.subarray(start, end), 'utf16-be');
}

export function encodeUtf16be(text: string): Buffer {
  return iconv.encode(text, 'utf16-be');
}

/** Index just past the last byte that is neither NUL nor (optionally) another pad byte. */
export function trimPadEnd(buf: Uint8Array, start: number, end: number, pad = 0): number {
  let e = end;
  while (e > start && (buf[e - 1] === 0 || buf[e - 1] === pad)) e--;
  return e;
}

export function toHex(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex');
}

export function fromHex(hex: string): Buffer {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`not a hex string: ${hex.slice(0, 40)}`);
  return Buffer.from(clean, 'hex');
}
