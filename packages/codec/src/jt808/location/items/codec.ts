import type { Writer } from '../../../core/writer.ts';
import { CodecError } from '../../../errors.ts';
import type { Jt808Context } from '../../message.ts';

/**
 * Codec of one 0x0200 additional item (TLV: id BYTE, length BYTE, value), keyed by id in the
 * table of `../items.ts` (convention 4). It handles the value bytes only; the table does the
 * id/length framing, the length check for fixed-size items and error entries.
 */
export interface LocationItemCodec<T extends { kind: string; id: number } = { kind: string; id: number }> {
  readonly id: T['id'];
  readonly kind: T['kind'];
  /** Exact value length in bytes, or -1 when variable (then `decode` validates it). */
  readonly length: number;
  /**
   * Decode the value `buf[off, off + len)`. May throw CodecError (truncated or invalid layout):
   * the caller turns that into an error entry. Never reads outside the range.
   */
  decode(buf: Buffer, off: number, len: number, ctx: Jt808Context): T;
  /** Write the value bytes only. Throws CodecError on values that cannot be encoded. */
  encode(w: Writer, item: T, ctx: Jt808Context): void;
}

export function defineItem<T extends { kind: string; id: number }>(c: LocationItemCodec<T>): LocationItemCodec<T> {
  return c;
}

/** `v` in units of 1/`scale`, rounded to the wire resolution; throws on a non-finite value. */
export function scaled(v: number, scale: number, what: string): number {
  if (!Number.isFinite(v)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} is not finite`);
  return Math.round(v * scale);
}
