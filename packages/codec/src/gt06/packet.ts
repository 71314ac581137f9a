import { crc16x25 } from '../core/checksum.ts';
import { Reader } from '../core/reader.ts';
import { Writer } from '../core/writer.ts';
import { CodecError, type CodecIssue, toIssue } from '../errors.ts';
import { DEFAULT_CONTEXT, type Gt06Context, type Gt06FrameInfo } from './message.ts';
import { profileForModel } from './models.ts';
import { codecForFrame, codecForType, type Gt06KnownMessage, type Gt06Message } from './registry.ts';

/**
 * GT06 frames (protocols/jimi-gt06.md §2):
 *
 *   short:  78 78 | LEN (1) | PROTO | CONTENT | SERIAL (2) | CRC (2) | 0D 0A
 *   long:   79 79 | LEN (2) | PROTO | CONTENT | SERIAL (2) | CRC (2) | 0D 0A
 *
 * LEN = PROTO + CONTENT + SERIAL + CRC; CRC-16/X-25 over LEN..SERIAL (§2.3). The clone forms
 * (§8.6) have no serial or CRC and byte 2 is not a length: `78 78 <b> PROTO CONTENT 0D 0A`.
 * A frame is taken as standard when LEN matches its size (and LEN ≥ 5), otherwise as clone.
 */
export interface Gt06Header {
  start: 'short' | 'long';
  protocol: number;
  /** LEN as sent; in the clone forms the byte at offset 2 (not a length). */
  length: number;
  /** Information serial; null in the clone forms. */
  serial: number | null;
  /** CRC-16/X-25 verdict; null in the clone forms (no CRC on the wire). */
  crcOk: boolean | null;
}

/** A decoded frame. Buffers inside `message` are views into the frame that was decoded. */
export interface Gt06Packet {
  header: Gt06Header;
  message: Gt06Message;
  /** Non-fatal problems: CRC, trailing bytes, undecodable content... Empty when clean. */
  issues: CodecIssue[];
}

export type Gt06DecodeResult = ({ ok: true } & Gt06Packet) | { ok: false; issue: CodecIssue };

export interface Gt06DecodeOptions {
  /** Wire time zone of the date-time fields, minutes east of UTC (default 0). Per device. */
  timeOffsetMinutes?: number;
  /** Configured device model (selects a profile of `models.ts`, §6). */
  model?: string;
}

const NO_ISSUES: CodecIssue[] = [];
const EMPTY = Buffer.alloc(0);
/**
 * One reader and one frame-info record reused by the frame decoder instead of two objects per
 * frame (null while in use: a nested decode allocates its own). Codecs only read them during
 * `decode`; neither is kept in a result.
 */
let spareReader: Reader | null = new Reader(EMPTY);
let spareInfo: Gt06FrameInfo | null = { start: 'short', protocol: 0, length: 0, clone: false, contentLength: 0 };

let lastOptions: Gt06DecodeOptions | undefined;
let lastContext: Gt06Context = DEFAULT_CONTEXT;

/** The codec context for decode / encode options (memoised for the last options object). */
export function contextFor(options?: Gt06DecodeOptions): Gt06Context {
  if (!options) return DEFAULT_CONTEXT;
  if (options === lastOptions) return lastContext;
  const ctx: Gt06Context = {
    timeOffsetMinutes: options.timeOffsetMinutes ?? 0,
    profile: profileForModel(options.model),
  };
  lastOptions = options;
  lastContext = ctx;
  return ctx;
}

/**
 * Decode one frame (start bytes through 0D 0A, as the framer yields it). Pass the framer's CRC
 * verdict as `crcOk` to skip recomputing it. Tolerant: a bad CRC is an issue, the frame is
 * still decoded (traccar never checks it; §2.3). Never throws.
 */
export function decodeGt06Frame(frame: Buffer, crcOk?: boolean | null, options?: Gt06DecodeOptions): Gt06DecodeResult {
  return decodeGt06FrameAt(frame, 0, frame.length, crcOk, options);
}

/**
 * `decodeGt06Frame` for the frame `buf[start, end)` (the framer sink's `frameAt` form): no
 * view of the frame is made; buffers inside the message are views of `buf`.
 */
export function decodeGt06FrameAt(
  buf: Buffer,
  start: number,
  end: number,
  crcOk?: boolean | null,
  options?: Gt06DecodeOptions,
): Gt06DecodeResult {
  const n = end - start;
  const b0 = buf[start];
  const long = b0 === 0x79;
  if ((b0 !== 0x78 && !long) || buf[start + 1] !== b0 || start < 0 || end > buf.length) {
    return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: n, detail: 'no 7878 / 7979 start' } };
  }
  const hdr = long ? 4 : 3;
  if (n < hdr + 3) return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: n } };
  if (buf[end - 2] !== 0x0d || buf[end - 1] !== 0x0a) {
    return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_LENGTH', bytes: n, detail: 'no 0D 0A stop bytes' } };
  }
  const length = long ? (buf[start + 2]! << 8) | buf[start + 3]! : buf[start + 2]!;
  const standard = length >= 5 && length + hdr + 2 === n;
  const protocol = buf[start + hdr]!;
  const contentStart = start + hdr + 1;
  const contentEnd = standard ? end - 6 : end - 2;
  let serial: number | null = null;
  let ok: boolean | null = null;
  if (standard) {
    serial = (buf[end - 6]! << 8) | buf[end - 5]!;
    ok = crcOk ?? crc16x25(buf, start + 2, end - 4) === ((buf[end - 4]! << 8) | buf[end - 3]!);
  }
  const header: Gt06Header = { start: long ? 'long' : 'short', protocol, length, serial, crcOk: ok };
  let info: Gt06FrameInfo;
  if (spareInfo === null) {
    info = { start: header.start, protocol, length, clone: !standard, contentLength: contentEnd - contentStart };
  } else {
    info = spareInfo;
    spareInfo = null;
    info.start = header.start;
    info.protocol = protocol;
    info.length = length;
    info.clone = !standard;
    info.contentLength = contentEnd - contentStart;
  }
  const ctx = contextFor(options);
  let issues = ok === false ? [{ code: 'IOTHUB_ERR_FRAME_CHECKSUM' } as CodecIssue] : NO_ISSUES;
  const codec = codecForFrame(info, ctx);
  let message: Gt06Message;
  if (!codec) {
    message = {
      type: 'unknown',
      protocol,
      body: buf.subarray(contentStart, contentEnd),
      reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE', detail: `protocol 0x${protocol.toString(16)}` },
    };
  } else {
    const r =
      spareReader === null
        ? new Reader(buf, contentStart, contentEnd)
        : spareReader.reset(buf, contentStart, contentEnd);
    spareReader = null;
    try {
      const body = codec.decode(r, info, ctx);
      message = { type: codec.type, protocol, body } as Gt06KnownMessage;
      if (r.remaining > 0) issues = [...issues, { code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: r.remaining }];
    } catch (err) {
      const reason = toIssue(err);
      message = { type: 'unknown', protocol, body: buf.subarray(contentStart, contentEnd), reason };
      issues = [...issues, reason];
    }
    // Park the reader without a reference to the frame (it would keep the chunk alive).
    spareReader = r.reset(EMPTY, 0, 0);
  }
  spareInfo = info;
  return { ok: true, header, message, issues };
}

/** Header fields the encoder needs. */
export interface Gt06EncodeHeader {
  /** Default 'short' (78 78). */
  start?: 'short' | 'long';
  /** Information serial; null writes the clone form (no serial, no CRC; short start only). */
  serial: number | null;
  /**
   * Clone form only: the byte at offset 2 (not a length). Defaults to the codec's choice, else
   * the content length. Ignored for standard frames, whose LEN is computed.
   */
  length?: number;
}

export interface Gt06EncodeOptions {
  timeOffsetMinutes?: number;
  model?: string;
}

/** Encode a known message as a complete wire frame. Throws CodecError on values that cannot be encoded. */
export function encodeGt06(
  header: Gt06EncodeHeader,
  message: Pick<Gt06KnownMessage, 'type' | 'protocol' | 'body'>,
  options?: Gt06EncodeOptions,
): Buffer {
  const codec = codecForType(message.type);
  if (!codec) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `no GT06 codec for type ${message.type}`);
  if (codec.protocols.length > 0 && !codec.protocols.includes(message.protocol)) {
    throw new CodecError(
      'IOTHUB_ERR_ENCODE_VALUE',
      `${message.type} is not protocol 0x${message.protocol.toString(16)}`,
    );
  }
  const ctx = contextFor(options);
  const w = new Writer(64);
  const long = header.start === 'long';
  const hdr = long ? 4 : 3;
  w.zeros(hdr + 1);
  codec.encode(w, message.body, message.protocol, ctx);
  const contentLength = w.pos - hdr - 1;
  if (header.serial === null) {
    if (long) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'the clone form has a short start');
    const b = header.length ?? codec.cloneByte?.(message.body) ?? contentLength;
    w.patchU16(0, 0x7878).patchU8(2, b).patchU8(3, message.protocol);
    w.u16(0x0d0a);
    return w.finish();
  }
  return finishStandard(w, long, message.protocol, contentLength, header.serial);
}

/** Encode a standard frame around already-encoded content (unknown protocols, relays). */
export function encodeGt06Raw(
  header: { start?: 'short' | 'long'; serial: number },
  protocol: number,
  content: Uint8Array,
): Buffer {
  const long = header.start === 'long';
  const w = new Writer(content.length + 12);
  w.zeros(long ? 5 : 4).bytes(content);
  return finishStandard(w, long, protocol, content.length, header.serial);
}

function finishStandard(w: Writer, long: boolean, protocol: number, contentLength: number, serial: number): Buffer {
  const len = contentLength + 5;
  if (long) {
    if (len > 0xffff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `content of ${contentLength} bytes`);
    w.patchU16(0, 0x7979).patchU16(2, len).patchU8(4, protocol);
  } else {
    if (len > 0xff) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `content of ${contentLength} bytes needs the long (79 79) form`);
    }
    w.patchU16(0, 0x7878).patchU8(2, len).patchU8(3, protocol);
  }
  w.u16(serial);
  const crc = crc16x25(w.view(), 2, w.pos);
  w.u16(crc).u16(0x0d0a);
  return w.finish();
}
