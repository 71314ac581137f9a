import type { Reader } from '../core/reader.ts';
import type { Writer } from '../core/writer.ts';
import type { CodecIssue } from '../errors.ts';
import type { Jt808Version } from './header.ts';

/** What a body codec may depend on besides the body bytes. */
export interface Jt808Context {
  /**
   * Protocol edition. From the header layout when decoding (2013 for 2011/2013 layouts, 2019);
   * body codecs that differ between 2011 and 2013 (0x0100) tell them apart by length.
   */
  version: Jt808Version;
  /** Wire time zone of BCD date-times, minutes east of UTC. JT/T 808: GMT+8 → 480. */
  timeOffsetMinutes: number;
  /**
   * Active-safety (Su-biao) regional layout of the terminal id and alarm identification
   * (protocols/jt808-jt1078.md §8 table). Default 'jiangsu' (7 / 16 bytes).
   */
  alarmIdLayout: AlarmIdLayout;
}

export type AlarmIdLayout = 'jiangsu' | 'hunan' | 'heilongjiang' | 'sichuan' | 'guangdong';

export const DEFAULT_CONTEXT: Jt808Context = { version: 2013, timeOffsetMinutes: 480, alarmIdLayout: 'jiangsu' };

/**
 * One message body: decode and encode. `type` is the stable name used as the discriminant of
 * decoded messages (`'location-report'`, `'platform-general-response'`, ...).
 *
 * `decode` reads from `r` up to `r.end`; it may throw CodecError (a Reader underflow, for
 * example): the packet decoder turns that into an `unknown` message with the reason, so a
 * bad body never affects anything else. Bytes it leaves unread are reported as trailing.
 * `encode` validates and throws on values that cannot be represented (caller bug).
 */
export interface Jt808BodyCodec<N extends string = string, B = unknown> {
  readonly msgId: number;
  readonly type: N;
  /** Direction: 'up' terminal → platform, 'down' platform → terminal. */
  readonly direction: 'up' | 'down';
  decode(r: Reader, ctx: Jt808Context): B;
  encode(w: Writer, body: B, ctx: Jt808Context): void;
}

/** Identity helper that keeps the literal `type` and the body type for the registry's union. */
export function defineMessage<N extends string, B>(codec: Jt808BodyCodec<N, B>): Jt808BodyCodec<N, B> {
  return codec;
}

/** A body with no fields (0x0003 logout, 0x8104 query parameters, ...). */
export type EmptyBody = Record<string, never>;

/** A message whose id has no decoder, whose body could not be decoded, or is encrypted. Raw bytes kept. */
export interface Jt808UnknownMessage {
  type: 'unknown';
  msgId: number;
  body: Buffer;
  /** Why it was not decoded: IOTHUB_ERR_UNKNOWN_MESSAGE, IOTHUB_ERR_ENCRYPTED, IOTHUB_ERR_TRUNCATED, ... */
  reason: CodecIssue;
}

/** One piece of a subpackaged message; decode the whole body after reassembly. */
export interface Jt808FragmentMessage {
  type: 'fragment';
  msgId: number;
  body: Buffer;
}
