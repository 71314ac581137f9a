import type { Writer } from '../../core/writer.ts';
import { CodecError, type CodecIssue, toIssue } from '../../errors.ts';
import type { Jt808Context } from '../message.ts';
import { ACTIVE_SAFETY_ITEM_CODECS, type ActiveSafetyLocationItem } from './items/active-safety.ts';
import type { LocationItemCodec } from './items/codec.ts';
import {
  decodeFuel,
  decodeIoStatus,
  decodeMileage,
  decodeRecorderSpeed,
  decodeSatellites,
  decodeSignalStrength,
  decodeVehicleSignals,
  STANDARD_ITEM_CODECS,
  type StandardLocationItem,
} from './items/standard.ts';
import { VIDEO_ITEM_CODECS, type VideoLocationItem } from './items/video.ts';

export type * from './items/active-safety.ts';
export type { LocationItemCodec } from './items/codec.ts';
export type * from './items/standard.ts';
export type * from './items/video.ts';

/**
 * 0x0200 additional items (protocols/jt808-jt1078.md §6.4): TLV `id BYTE, length BYTE, value`
 * repeated to the end of the body, decoded through one table keyed by id (convention 4):
 * the JT/T 808 items (items/standard.ts), the JT/T 1078 items (items/video.ts) and the
 * active-safety items (items/active-safety.ts).
 *
 * Tolerance (§6.4 last paragraph, convention 6):
 * - an id without a codec is kept raw: `{ kind: 'unknown', id, raw }`;
 * - a known id whose value does not fit its layout (wrong length, truncated inner layout) is kept
 *   as `{ kind: 'invalid', id, raw, error }` and the following items are still decoded;
 * - bytes after the last complete TLV (a lone id byte, or a length running past the body) are
 *   not an item: the caller keeps them as `trailing` with an IOTHUB_ERR_TRUNCATED issue;
 * - zero bytes from an item boundary to the end are padding, kept as `trailing` with
 *   IOTHUB_ERR_TRAILING_BYTES (not as a run of empty 0x00 items).
 * Items stay in wire order and every entry re-encodes to its own bytes, so
 * `encode(decode(bytes)) == bytes` for any body whose TLV framing is intact.
 */

/** An item whose id has no codec; the value bytes are kept (a view into the input). */
export interface UnknownLocationItem {
  kind: 'unknown';
  id: number;
  raw: Buffer;
}

/** A known id whose value could not be decoded; kept raw with the reason. */
export interface InvalidLocationItem {
  kind: 'invalid';
  id: number;
  raw: Buffer;
  error: CodecIssue;
}

export type KnownLocationItem = StandardLocationItem | VideoLocationItem | ActiveSafetyLocationItem;
export type LocationItem = KnownLocationItem | UnknownLocationItem | InvalidLocationItem;
export type LocationItemKind = LocationItem['kind'];

/** Bytes after the last complete item, kept for re-encoding and reported. */
export interface LocationTrailing {
  raw: Buffer;
  error: CodecIssue;
}

type AnyItemCodec = LocationItemCodec<KnownLocationItem>;

/** Every registered item codec. */
export const LOCATION_ITEM_CODECS: readonly AnyItemCodec[] = [
  ...STANDARD_ITEM_CODECS,
  ...VIDEO_ITEM_CODECS,
  ...ACTIVE_SAFETY_ITEM_CODECS,
];

/** Codec by item id (dense, for a branch-free lookup on the hot path). */
const BY_ID: (AnyItemCodec | undefined)[] = new Array(256).fill(undefined);
for (const c of LOCATION_ITEM_CODECS) {
  if (BY_ID[c.id] !== undefined) throw new Error(`duplicate 0x0200 item codec for 0x${c.id.toString(16)}`);
  BY_ID[c.id] = c;
}

/** The codec registered for an item id, if any. */
export function locationItemCodec(id: number): AnyItemCodec | undefined {
  return BY_ID[id];
}

function invalid(id: number, buf: Buffer, off: number, len: number, error: CodecIssue): InvalidLocationItem {
  return { kind: 'invalid', id, raw: buf.subarray(off, off + len), error };
}

/**
 * Decode one item value `buf[off, off + len)`. Never throws.
 *
 * Fast path: the standard items trackers send in nearly every report are dispatched by a switch
 * to the same decoder functions the table holds (items/standard.ts), so the compiler can inline
 * them (a call through the table cannot be); measured about 10 % of a typical 0x0200 frame. Any
 * other id, or a length that is not the item's, goes through the table.
 * `test/jt808/location.test.ts` checks that the two agree.
 */
export function decodeLocationItem(id: number, buf: Buffer, off: number, len: number, ctx: Jt808Context): LocationItem {
  switch (id) {
    case 0x01:
      if (len === 4) return decodeMileage(buf, off);
      break;
    case 0x02:
      if (len === 2) return decodeFuel(buf, off);
      break;
    case 0x03:
      if (len === 2) return decodeRecorderSpeed(buf, off);
      break;
    case 0x25:
      if (len === 4) return decodeVehicleSignals(buf, off);
      break;
    case 0x2a:
      if (len === 2) return decodeIoStatus(buf, off);
      break;
    case 0x30:
      if (len === 1) return decodeSignalStrength(buf, off);
      break;
    case 0x31:
      if (len === 1) return decodeSatellites(buf, off);
      break;
  }
  return decodeByTable(id, buf, off, len, ctx);
}

function decodeByTable(id: number, buf: Buffer, off: number, len: number, ctx: Jt808Context): LocationItem {
  const codec = BY_ID[id];
  if (codec === undefined) return { kind: 'unknown', id, raw: buf.subarray(off, off + len) };
  if (codec.length >= 0 && codec.length !== len) {
    return invalid(id, buf, off, len, {
      code: 'IOTHUB_ERR_FIELD_VALUE',
      detail: `item 0x${id.toString(16)} length ${len}, expected ${codec.length}`,
    });
  }
  try {
    return codec.decode(buf, off, len, ctx);
  } catch (err) {
    return invalid(id, buf, off, len, toIssue(err));
  }
}

/**
 * Decode the items in `buf[pos, end)` into `out`, in wire order. Returns the position after the
 * last complete TLV: when it is below `end`, the rest is trailing junk for the caller to keep.
 */
export function readLocationItems(
  buf: Buffer,
  pos: number,
  end: number,
  ctx: Jt808Context,
  out: LocationItem[],
): number {
  while (end - pos >= 2) {
    const id = buf[pos]!;
    const len = buf[pos + 1]!;
    // Zero padding to the end of the body (seen in SmallChi and traccar vectors) is not a run of
    // empty 0x00 items: stop, and the caller keeps it as trailing.
    if (id === 0 && len === 0 && isZero(buf, pos + 2, end)) break;
    const off = pos + 2;
    if (off + len > end) break;
    out.push(decodeLocationItem(id, buf, off, len, ctx));
    pos = off + len;
  }
  return pos;
}

function isZero(buf: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The trailing record for the bytes `buf[pos, end)` that do not form an item: zero padding
 * (IOTHUB_ERR_TRAILING_BYTES) or a partial TLV (IOTHUB_ERR_TRUNCATED).
 */
export function trailingItems(buf: Buffer, pos: number, end: number): LocationTrailing {
  const left = end - pos;
  const raw = buf.subarray(pos, end);
  if (isZero(buf, pos, end)) {
    return { raw, error: { code: 'IOTHUB_ERR_TRAILING_BYTES', detail: 'zero padding after the items', bytes: left } };
  }
  const detail =
    left === 1
      ? `lone byte 0x${buf[pos]!.toString(16)} after the additional items`
      : `item 0x${buf[pos]!.toString(16)} declares ${buf[pos + 1]!} byte(s), ${left - 2} left`;
  return { raw, error: { code: 'IOTHUB_ERR_TRUNCATED', detail, bytes: left } };
}

/** Encode one item (id, length, value). Throws CodecError on values that cannot be encoded. */
export function writeLocationItem(w: Writer, item: LocationItem, ctx: Jt808Context): void {
  if (item.kind === 'unknown' || item.kind === 'invalid') {
    if (item.kind === 'unknown' && BY_ID[item.id] !== undefined) {
      throw new CodecError(
        'IOTHUB_ERR_ENCODE_VALUE',
        `item 0x${item.id.toString(16)} has a codec (${BY_ID[item.id]!.kind}); an unknown entry would not round-trip`,
      );
    }
    if (item.raw.length > 0xff)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `item 0x${item.id.toString(16)} is over 255 bytes`);
    w.u8(item.id).u8(item.raw.length).bytes(item.raw);
    return;
  }
  const codec = BY_ID[item.id];
  if (codec === undefined || codec.kind !== item.kind) {
    throw new CodecError(
      'IOTHUB_ERR_ENCODE_VALUE',
      `item kind ${item.kind} does not match id 0x${item.id.toString(16)}`,
    );
  }
  w.u8(item.id);
  const at = w.pos;
  w.u8(0);
  codec.encode(w, item, ctx);
  const len = w.pos - at - 1;
  if (len > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `item 0x${item.id.toString(16)} is over 255 bytes`);
  if (codec.length >= 0 && len !== codec.length) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `item 0x${item.id.toString(16)} encoded to ${len} bytes`);
  }
  w.patchU8(at, len);
}

export function writeLocationItems(w: Writer, items: readonly LocationItem[], ctx: Jt808Context): void {
  for (const item of items) writeLocationItem(w, item, ctx);
}

/** The first item of the given kind, typed (`findItem(report.items, 'mileage')?.mileage`). */
export function findItem<K extends LocationItemKind>(
  items: readonly LocationItem[],
  kind: K,
): Extract<LocationItem, { kind: K }> | undefined {
  for (const item of items) if (item.kind === kind) return item as Extract<LocationItem, { kind: K }>;
  return undefined;
}
