import { xorChecksum } from '../core/checksum.ts';
import { Reader } from '../core/reader.ts';
import { Writer } from '../core/writer.ts';
import { type CodecIssue, toIssue } from '../errors.ts';
import { escapeAndWrap, escapeAndWrapRange } from './escape.ts';
import type { Jt808Header } from './header.ts';
import {
  type Jt808HeaderInput,
  layoutCode,
  layoutHeaderLength,
  layoutVersion,
  readHeaderAs,
  writeHeader,
} from './header.ts';
import { DEFAULT_CONTEXT, type Jt808Context } from './message.ts';
import { codecForId, codecForType, type Jt808KnownMessage, type Jt808Message } from './registry.ts';

/** A decoded frame. Buffers inside `message` are views into the frame that was decoded. */
export interface Jt808Packet {
  header: Jt808Header;
  message: Jt808Message;
  checksumOk: boolean;
  /** Non-fatal problems: checksum, length mismatch, trailing bytes, bad items... Empty when clean. */
  issues: CodecIssue[];
}

export type Jt808DecodeResult = ({ ok: true } & Jt808Packet) | { ok: false; issue: CodecIssue };

export interface Jt808DecodeOptions {
  /** Wire time zone of BCD times in minutes east of UTC (default 480, GMT+8). Per device. */
  timeOffsetMinutes?: number;
  alarmIdLayout?: Jt808Context['alarmIdLayout'];
}

const NO_ISSUES: CodecIssue[] = [];
const EMPTY = Buffer.alloc(0);
/** One reader reused by the frame decoder (null while in use: a nested decode allocates its own). */
let spareReader: Reader | null = new Reader(EMPTY);
const SCRATCH = new Writer(2048);

/**
 * Decode one unescaped frame (header + body + check, as the framer yields it).
 *
 * Tolerant (protocols/jt808-jt1078.md §10): a bad check code and/or a declared length that
 * disagrees with the bytes are reported as issues and the frame is still decoded, as the
 * reference decoders do (real terminals send both; traccar decodes them). Whether to act on
 * such a frame (acknowledge it, publish it) is the session's policy, not the codec's.
 * Only a frame too short for a header is rejected. Never throws.
 */
export function decodeJt808Frame(frame: Buffer, checksumOk?: boolean, options?: Jt808DecodeOptions): Jt808DecodeResult {
  return decodeJt808FrameAt(frame, 0, frame.length, checksumOk, options);
}

/**
 * `decodeJt808Frame` for the frame `buf[start, end)`, without creating a view of it: the form the
 * framer's `frameAt` sink hands out. Buffers inside the result are views of `buf`.
 */
export function decodeJt808FrameAt(
  buf: Buffer,
  start: number,
  end: number,
  checksumOk?: boolean,
  options?: Jt808DecodeOptions,
): Jt808DecodeResult {
  const length = end - start;
  if (length < 13) return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: length } };
  const ok = checksumOk ?? xorChecksum(buf, start, end - 1) === buf[end - 1];
  const layout = layoutCode(buf, length, start);
  const headerLength = layoutHeaderLength(layout);
  if (length < headerLength + 1) {
    return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: length } };
  }
  const header = readHeaderAs(buf, layoutVersion(layout), start);
  let issues = NO_ISSUES;
  if (!ok) issues = [{ code: 'IOTHUB_ERR_FRAME_CHECKSUM' }];
  if ((layout & 2) === 0) {
    const actual = length - headerLength - 1;
    issues = [
      ...issues,
      { code: 'IOTHUB_ERR_FRAME_LENGTH', detail: `declared ${header.bodyLength}, actual ${actual}` },
    ];
  }
  const bodyStart = start + headerLength;
  const bodyEnd = end - 1;
  const msgId = header.msgId;
  let message: Jt808Message;
  if (header.subpackage && header.subpackage.total > 1) {
    message = { type: 'fragment', msgId, body: buf.subarray(bodyStart, bodyEnd) };
  } else if (header.encryption !== 0) {
    message = {
      type: 'unknown',
      msgId,
      body: buf.subarray(bodyStart, bodyEnd),
      reason: { code: 'IOTHUB_ERR_ENCRYPTED', detail: `encryption bits ${header.encryption}` },
    };
  } else {
    const codec = codecForId(msgId);
    if (codec === undefined) {
      message = {
        type: 'unknown',
        msgId,
        body: buf.subarray(bodyStart, bodyEnd),
        reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE' },
      };
    } else {
      const r = spareReader === null ? new Reader(buf, bodyStart, bodyEnd) : spareReader.reset(buf, bodyStart, bodyEnd);
      spareReader = null;
      try {
        const body = codec.decode(r, contextFor(header.version, options));
        message = { type: codec.type, msgId, body } as Jt808KnownMessage;
        if (r.remaining > 0) issues = [...issues, { code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: r.remaining }];
      } catch (err) {
        const reason = toIssue(err);
        message = { type: 'unknown', msgId, body: buf.subarray(bodyStart, bodyEnd), reason };
        issues = [...issues, reason];
      }
      // Drop the reference to the frame so a parked reader does not keep a chunk alive.
      spareReader = r.reset(EMPTY, 0, 0);
    }
  }
  return { ok: true, header, message, checksumOk: ok, issues };
}

const CONTEXT_2019: Jt808Context = { ...DEFAULT_CONTEXT, version: 2019 };

function contextFor(version: Jt808Context['version'], options?: Jt808DecodeOptions): Jt808Context {
  if (options === undefined) return version === 2019 ? CONTEXT_2019 : DEFAULT_CONTEXT;
  return {
    version,
    timeOffsetMinutes: options.timeOffsetMinutes ?? DEFAULT_CONTEXT.timeOffsetMinutes,
    alarmIdLayout: options.alarmIdLayout ?? DEFAULT_CONTEXT.alarmIdLayout,
  };
}

/**
 * Decode a complete body (for example after subpackage reassembly). Never throws: a body the
 * codec cannot read becomes `{ type: 'unknown', reason }` with the raw bytes.
 */
export function decodeJt808Body(
  msgId: number,
  body: Buffer,
  ctx: Partial<Jt808Context> = {},
): { message: Jt808Message; issue?: CodecIssue } {
  const full: Jt808Context = { ...DEFAULT_CONTEXT, ...ctx };
  return decodeJt808BodyInto(msgId, body, 0, body.length, full);
}

function decodeJt808BodyInto(
  msgId: number,
  buf: Buffer,
  start: number,
  end: number,
  ctx: Jt808Context,
): { message: Jt808Message; issue?: CodecIssue } {
  const codec = codecForId(msgId);
  if (!codec) {
    return {
      message: {
        type: 'unknown',
        msgId,
        body: buf.subarray(start, end),
        reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE' },
      },
    };
  }
  const r = new Reader(buf, start, end);
  try {
    const body = codec.decode(r, ctx);
    const message = { type: codec.type, msgId, body } as Jt808KnownMessage;
    if (r.remaining > 0) {
      return { message, issue: { code: 'IOTHUB_ERR_TRAILING_BYTES', bytes: r.remaining } };
    }
    return { message };
  } catch (err) {
    const reason = toIssue(err);
    return { message: { type: 'unknown', msgId, body: buf.subarray(start, end), reason }, issue: reason };
  }
}

/** Encode a known message's body. Throws CodecError on values that cannot be encoded. */
export function encodeJt808Body(
  message: Pick<Jt808KnownMessage, 'type' | 'body'>,
  ctx: Partial<Jt808Context> = {},
): Buffer {
  const codec = codecForType(message.type);
  if (!codec) throw new Error(`no JT/T 808 codec for type ${message.type}`);
  const w = new Writer(64);
  codec.encode(w, message.body, { ...DEFAULT_CONTEXT, ...ctx });
  return w.finish();
}

/** Header fields the encoder needs; `msgId` comes from the message type when omitted. */
export type Jt808EncodeHeader = Omit<Jt808HeaderInput, 'msgId'> & { msgId?: number };

/**
 * Encode a complete wire frame: header, body, check code, escaping and 0x7e flags.
 * Throws CodecError on values that cannot be encoded (including bodies over 1023 bytes:
 * use `encodeJt808Subpackaged`).
 */
export function encodeJt808(
  header: Jt808EncodeHeader,
  message: Pick<Jt808KnownMessage, 'type' | 'body'>,
  ctx: Partial<Omit<Jt808Context, 'version'>> = {},
): Buffer {
  const codec = codecForType(message.type);
  if (!codec) throw new Error(`no JT/T 808 codec for type ${message.type}`);
  // One scratch writer for all encodes (encoding is synchronous and never re-entered): only the
  // returned frame is allocated.
  const w = SCRATCH.reset();
  const headerEnd = header.version === 2019 ? 17 : 12;
  const bodyStart = header.subpackage ? headerEnd + 4 : headerEnd;
  w.zeros(bodyStart);
  const full =
    ctx.timeOffsetMinutes === undefined && ctx.alarmIdLayout === undefined
      ? header.version === 2019
        ? CONTEXT_2019
        : DEFAULT_CONTEXT.version === header.version
          ? DEFAULT_CONTEXT
          : { ...DEFAULT_CONTEXT, version: header.version }
      : { ...DEFAULT_CONTEXT, ...ctx, version: header.version };
  codec.encode(w, message.body, full);
  const bodyLength = w.pos - bodyStart;
  const end = w.pos;
  w.pos = 0;
  writeHeader(w, header, bodyLength, header.msgId ?? codec.msgId);
  w.pos = end;
  const buf = w.buffer;
  return escapeAndWrapRange(buf, 0, end, xorChecksum(buf, 0, end));
}

/** Encode a frame around an already-encoded body (unknown ids, relayed bodies, subpackages). */
export function encodeJt808Raw(header: Jt808HeaderInput, body: Uint8Array): Buffer {
  const w = new Writer(body.length + 24);
  writeHeader(w, header, body.length);
  w.bytes(body);
  return finishFrame(w.view());
}

/**
 * Split a body into subpackages (JT/T 808 §4.4.3.2: bit 13, total, 1-based index; each piece
 * takes the next serial) and encode each as a wire frame.
 */
export function encodeJt808Subpackaged(
  header: Omit<Jt808HeaderInput, 'subpackage'>,
  body: Uint8Array,
  maxPieceLength = 1023,
): Buffer[] {
  const total = Math.max(1, Math.ceil(body.length / maxPieceLength));
  if (total === 1) return [encodeJt808Raw(header, body)];
  const frames: Buffer[] = [];
  for (let i = 0; i < total; i++) {
    const piece = body.subarray(i * maxPieceLength, Math.min(body.length, (i + 1) * maxPieceLength));
    frames.push(
      encodeJt808Raw({ ...header, serial: (header.serial + i) & 0xffff, subpackage: { total, index: i + 1 } }, piece),
    );
  }
  return frames;
}

function finishFrame(content: Buffer): Buffer {
  return escapeAndWrap(content, xorChecksum(content));
}
