import { decodeUtf16be, encodeUtf16be } from '../../core/text.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage, type Gt06Context } from '../message.ts';

/**
 * Replies to a 0x80 online command ↑ (D1 §8.2, D2 §7; T-DEC; protocols/jimi-gt06.md §5.8).
 *
 * 0x21, long header (JV200, GT300, GT800, MT200, VL03, AZ735):
 * | bytes | field                                          |
 * |-------|------------------------------------------------|
 * | 4     | server flag (echoed from the 0x80)             |
 * | 1     | encoding: 01 ASCII, 02 UTF-16BE                |
 * | M     | content                                        |
 *
 * 0x15, short header (JM01 and older):
 * | bytes | field                                          |
 * |-------|------------------------------------------------|
 * | 1     | length = 4 + M                                 |
 * | 4     | server flag                                    |
 * | M     | ASCII content                                  |
 * | 2     | language: 00 01 Chinese, 00 02 English         |
 * Some firmware puts 0 in the length byte and pads the content with NULs to a fixed size
 * (fixtures); the content then runs to the language word. Trailing NULs are removed.
 *
 * A `Current position!Lat:N..,Lon:E..,Course:..,Speed:..,DateTime:YYYY-MM-DD hh:mm:ss` text
 * (the `WHERE#` answer) is also decoded as a position (T-DEC), speed taken as km/h.
 * No server reply (documents).
 */
export interface CommandPosition {
  latitude: number;
  longitude: number;
  /** Degrees. */
  course: number;
  /** km/h (as printed by the device). */
  speed: number;
  time: Date | null;
}

export interface CommandReply {
  serverFlag: number;
  /** 1 ASCII, 2 UTF-16BE (other values are read as ASCII). */
  encoding: number;
  text: string;
  /** Derived from `text` when it is a position answer. */
  position?: CommandPosition;
}

export interface CommandReplyShort {
  serverFlag: number;
  text: string;
  language?: number;
  /** Derived from a `<ICCID:...>` answer. */
  iccid?: string;
  extra?: Buffer;
}

const POSITION =
  /^Current position!Lat:([NS])(\d+(?:\.\d+)?),Lon:([EW])(\d+(?:\.\d+)?),Course:(\d+(?:\.\d+)?),Speed:(\d+(?:\.\d+)?),DateTime:(\d{4})-(\d\d)-(\d\d) +(\d\d):(\d\d):(\d\d)/;

export function parsePositionText(text: string, ctx: Gt06Context): CommandPosition | undefined {
  const m = POSITION.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i]);
  const lat = n(2);
  const lon = n(4);
  const t = Date.UTC(n(7), n(8) - 1, n(9), n(10), n(11), n(12)) - ctx.timeOffsetMinutes * 60_000;
  return {
    latitude: m[1] === 'S' ? -lat : lat,
    longitude: m[3] === 'W' ? -lon : lon,
    course: n(5),
    speed: n(6),
    time: Number.isNaN(t) ? null : new Date(t),
  };
}

/** End index with trailing NUL bytes removed (pairs for UTF-16). */
function trimNul(buf: Buffer, start: number, end: number, step: 1 | 2): number {
  let e = end;
  while (e - step >= start && buf[e - 1] === 0 && (step === 1 || buf[e - 2] === 0)) e -= step;
  return e;
}

export const m21CommandReply = defineMessage({
  type: 'command-reply',
  protocols: [0x21],
  direction: 'up',
  decode(r, _f, ctx): CommandReply {
    const serverFlag = r.u32();
    const encoding = r.u8();
    const start = r.pos;
    const end = r.end;
    r.pos = end;
    const text =
      encoding === 2
        ? decodeUtf16be(r.buf, start, trimNul(r.buf, start, end - ((end - start) & 1), 2))
        : r.buf.toString('latin1', start, trimNul(r.buf, start, end, 1));
    const body: CommandReply = { serverFlag, encoding, text };
    const position = parsePositionText(text, ctx);
    if (position) body.position = position;
    return body;
  },
  encode(w, b: CommandReply) {
    w.u32(b.serverFlag).u8(b.encoding);
    w.bytes(b.encoding === 2 ? encodeUtf16be(b.text) : Buffer.from(b.text, 'latin1'));
  },
});

export const m15CommandReplyShort = defineMessage({
  type: 'command-reply-short',
  protocols: [0x15],
  direction: 'up',
  decode(r): CommandReplyShort {
    const n = r.u8();
    const serverFlag = r.u32();
    let textEnd: number;
    if (n >= 4 && n - 4 <= r.remaining) {
      textEnd = r.pos + n - 4;
    } else {
      // Length byte 0 (or wrong): the content runs up to the language word.
      textEnd = Math.max(r.pos, r.end - 2);
    }
    const text = r.buf.toString('latin1', r.pos, trimNul(r.buf, r.pos, textEnd, 1));
    r.pos = textEnd;
    const body: CommandReplyShort = { serverFlag, text };
    if (text.startsWith('<ICCID:')) {
      const close = text.indexOf('>');
      body.iccid = text.slice(7, close < 0 ? undefined : close);
    }
    if (r.remaining === 2) body.language = r.u16();
    else if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: CommandReplyShort) {
    const text = Buffer.from(b.text, 'latin1');
    if (text.length + 4 > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `reply of ${text.length} bytes`);
    w.u8(text.length + 4)
      .u32(b.serverFlag)
      .bytes(text);
    if (b.language !== undefined) w.u16(b.language);
    if (b.extra) w.bytes(b.extra);
  },
});
