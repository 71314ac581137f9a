import { CodecError } from '../errors.ts';

/**
 * JT/T 808 §4.4.3 escaping (the same in 2011/2013/2019): between the two 0x7e flags,
 * 0x7e is sent as 0x7d 0x02 and 0x7d as 0x7d 0x01. Applied after the check code
 * is computed, and covers the check code.
 */

/**
 * Escape `content` (header + body + check code) and wrap it in 0x7e flags. When `check` is
 * given, `content` is header + body and the check code byte is appended (and escaped) here.
 */
export function escapeAndWrap(content: Uint8Array, check?: number): Buffer {
  return escapeAndWrapRange(content, 0, content.length, check);
}

/** `escapeAndWrap` of `content[start, end)`, without creating a view of it. */
export function escapeAndWrapRange(content: Uint8Array, start: number, end: number, check?: number): Buffer {
  let extra = check === 0x7e || check === 0x7d ? 1 : 0;
  for (let i = start; i < end; i++) {
    const b = content[i]!;
    if (b === 0x7e || b === 0x7d) extra++;
  }
  const tail = check === undefined ? 0 : 1;
  const out = Buffer.allocUnsafe(end - start + tail + extra + 2);
  out[0] = 0x7e;
  let o = 1;
  for (let i = start; i < end; i++) {
    const b = content[i]!;
    if (b === 0x7e) {
      out[o++] = 0x7d;
      out[o++] = 0x02;
    } else if (b === 0x7d) {
      out[o++] = 0x7d;
      out[o++] = 0x01;
    } else out[o++] = b;
  }
  if (check !== undefined) {
    if (check === 0x7e || check === 0x7d) {
      out[o++] = 0x7d;
      out[o++] = check === 0x7e ? 0x02 : 0x01;
    } else out[o++] = check;
  }
  out[o] = 0x7e;
  return out;
}

/**
 * Reverse the escaping of the bytes between the flags (flags not included).
 * Throws `IOTHUB_ERR_FRAME_ESCAPE` on a 0x7d not followed by 0x01/0x02.
 */
export function unescapeJt808(escaped: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(escaped.length);
  let o = 0;
  for (let i = 0; i < escaped.length; i++) {
    const b = escaped[i]!;
    if (b === 0x7d) {
      const n = escaped[++i];
      if (n === 0x01) out[o++] = 0x7d;
      else if (n === 0x02) out[o++] = 0x7e;
      else
        throw new CodecError(
          'IOTHUB_ERR_FRAME_ESCAPE',
          `0x7d followed by ${n === undefined ? 'end' : `0x${n.toString(16)}`}`,
        );
    } else out[o++] = b;
  }
  return out.subarray(0, o);
}
