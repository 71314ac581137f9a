import type { Reader } from '../core/reader.ts';
import type { Writer } from '../core/writer.ts';
import type { CodecIssue } from '../errors.ts';
import { DEFAULT_PROFILE, type Gt06ModelProfile } from './models.ts';

/**
 * Body codecs of the Jimi / Concox "GT06" family (protocols/jimi-gt06.md).
 *
 * The same protocol number means different layouts depending on the start bytes, the
 * declared length, whether the frame carries serial + CRC at all (the clone forms of §8.6)
 * and the configured device model (§6, §8.7). Codecs therefore see a `Gt06FrameInfo` as
 * well as the content bytes, and the registry picks among codecs of one protocol number
 * with each codec's `match` (table-driven, convention 4).
 */

/** What the packet layer knows about a frame before its content is decoded. */
export interface Gt06FrameInfo {
  start: 'short' | 'long';
  protocol: number;
  /**
   * The declared length field (LEN = proto + content + serial + CRC). In the clone forms
   * (`clone: true`) byte 2 is not a length: it is kept as sent (the WiFi count for 0x69/0x17).
   */
  length: number;
  /** The frame has no serial / CRC: byte 2 does not describe the frame (§2.2 step 4, §8.6). */
  clone: boolean;
  /** Bytes between the protocol number and the serial (or the stop bytes in the clone forms). */
  contentLength: number;
}

/** What a body codec may depend on besides the bytes. */
export interface Gt06Context {
  /**
   * Wire time zone of the date-time fields (binary YYMMDDhhmmss and the BCD clone times),
   * minutes east of UTC. Current models send UTC (0); old 0x12/0x16 firmware may send local
   * time, configure it per device (§3.2, §8.8).
   */
  timeOffsetMinutes: number;
  /** Device-model profile: layout variants that cannot be detected from the frame (§6). */
  profile: Gt06ModelProfile;
}

export const DEFAULT_CONTEXT: Gt06Context = { timeOffsetMinutes: 0, profile: DEFAULT_PROFILE };

/**
 * One message type: decode and encode. `type` is the stable discriminant of decoded messages.
 *
 * `decode` reads from `r` up to `r.end` and may throw CodecError (a Reader underflow, a bad
 * value): the packet decoder turns that into an `unknown` message with the reason. Bytes it
 * leaves unread are reported as trailing. `encode` validates and throws CodecError on values
 * that cannot be represented (caller bug).
 */
export interface Gt06BodyCodec<N extends string = string, B = unknown> {
  readonly type: N;
  /** Protocol numbers this codec handles (empty: any protocol, used by the generic ack). */
  readonly protocols: readonly number[];
  /** 'up' device → server, 'down' server → device. */
  readonly direction: 'up' | 'down';
  /**
   * When present the codec only takes frames it accepts; codecs with a `match` are tried
   * before the generic ack and before codecs without one. Without it the codec takes every
   * standard (serial + CRC) frame of its protocols, and no clone-form frame.
   */
  readonly match?: (f: Gt06FrameInfo, ctx: Gt06Context) => boolean;
  decode(r: Reader, f: Gt06FrameInfo, ctx: Gt06Context): B;
  encode(w: Writer, body: B, protocol: number, ctx: Gt06Context): void;
  /** Clone form only: the byte the encoder writes at offset 2, which is not a length. */
  cloneByte?(body: B): number;
}

/** Identity helper that keeps the literal `type` and the body type for the registry's union. */
export function defineMessage<N extends string, B>(codec: Gt06BodyCodec<N, B>): Gt06BodyCodec<N, B> {
  return codec;
}

/** A body with no fields (acks, the 0x8A time request). */
export type EmptyBody = Record<string, never>;

/** A frame whose protocol / layout has no decoder, or whose content could not be decoded. Raw kept. */
export interface Gt06UnknownMessage {
  type: 'unknown';
  protocol: number;
  /** The content bytes (between the protocol number and the serial / stop bytes), a view. */
  body: Buffer;
  /** Why it was not decoded: IOTHUB_ERR_UNKNOWN_MESSAGE, IOTHUB_ERR_TRUNCATED, IOTHUB_ERR_FIELD_VALUE, ... */
  reason: CodecIssue;
}
